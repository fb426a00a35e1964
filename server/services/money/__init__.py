"""Money: the bill run (`fees`, `periods`), bills and which payment holds them (`bills`,
`bill_holds`), collection figures, reminders and the export (`collection`, `reminders`,
`fees_export`), WeChat Pay (`payments`, `payment_cancel`, `settlement`, `reconciliation`,
`anomalies`), cash (`offline_payments`), the ledger and receipts, meter readings, and
two-person changes (`approvals`, `pending_changes`, `fee_items`, `meter_voids`)."""
