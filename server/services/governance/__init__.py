"""Opening a compound and appointing its people: the roster of flats, role invites and
the people list, liaison handovers, and the compound's audit log."""
