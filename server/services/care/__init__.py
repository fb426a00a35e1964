"""Care visits (关爱走访): tagged households visited on a cadence by their liaison;
missed visits escalate to the building lead, then the committee."""
