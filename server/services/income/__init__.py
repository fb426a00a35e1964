"""Public income (公共收益): the compound's assets, the contracts that let them, the
instalments those contracts make expected, and income received (counted when a second
committee member confirms it)."""
