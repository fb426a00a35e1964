"""Money going out: expenses proposed by the committee, approved or objected to by the
finance supervisor, confirmed by a second member when large, paid into the ledger."""
