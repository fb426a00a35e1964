"""The monthly disclosure (月度公示): a month of a compound's money frozen from the
ledger (`figures`, `freeze`), signed off and published (`decisions`, `notices`),
checked against the ledger by anyone (`verify`) and printed (`pdf`); the job on the
1st drafts last month's (`monthly`)."""
