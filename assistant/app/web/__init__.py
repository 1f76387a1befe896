"""The chat page (Gradio), its study tabs, markup of document text, and the HTTP guard."""
