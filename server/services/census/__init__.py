"""The census (清单式摸底): household members, care tags, coverage, and the personal
data rules around them (who may see a phone or a sensitive tag, and the log of it)."""
