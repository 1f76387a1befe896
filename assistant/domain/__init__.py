"""Domain knowledge read from data files: amounts and currencies, level ladders, companies."""
