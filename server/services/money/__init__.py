"""Money: the bill run (`fees`, `periods`), bills and which payment holds them (`bills`,
`bill_holds`), fee rules (`fee_items`), collection figures, reminders and the export
(`collection`, `reminders`, `fees_export`), WeChat Pay (`payments`, `payment_cancel`,
`pay_notifications`, `settlement`, `pending_orders`, `reconciliation`, `anomalies`), cash
(`offline_payments`), the ledger and receipts, meter readings (`meter_readings`,
`meter_confirmations`), and two-person changes (`approvals`, `pending_changes`, `meter_voids`)."""
