"""People: signing in (`auth`), who they are and what they may do (`users`, `access`, `roles`),
households and how people join them (`bindings`, `invites`, `household_joins`), finding
compounds and households (`compounds`)."""
