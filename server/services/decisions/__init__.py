"""Owners' decisions (Civil Code art. 278): proposals on public notice with comments,
votes in the app and on paper, and results counted exactly and re-countable by anyone."""
