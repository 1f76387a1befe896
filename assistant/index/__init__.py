"""Index: chunk, embed, store in Chroma by generation, build, watch and report status."""
