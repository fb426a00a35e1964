"""Money: fee rules and bills (`fees`, `fee_items`, `bill_holds`), collection and its export,
WeChat Pay (`payments`, `payment_cancel`, `settlement`, `reconciliation`, `anomalies`), cash
(`offline_payments`), the ledger and receipts, meter readings, and two-person changes
(`approvals`, `pending_changes`, `meter_voids`)."""
