"""Issues: reporting and acting on them (`reports`, `flow`, `timeline`, `states`), closing by
themselves (`closing`), who sees and handles them (`access`), reading them (`views`,
`locations`), registers, deadlines and escalation (`policies`, `deadlines`), return visits."""
