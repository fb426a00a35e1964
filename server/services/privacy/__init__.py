"""Personal information (PIPL): the access log people with a duty read, a household's
own data (who viewed it, its download, its erasure), the consent notices, and the
anonymisation of those who moved out."""
