"""Screening sweeps (点单式排查): the committee starts a checklist across a scope, the
volunteers take it door to door, what needs action opens an issue, the overdue units
are raised to the building lead, and the register (台账) is exported."""
