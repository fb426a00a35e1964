"""Money: fee rules and bills (`fees`, `fee_items`, `bill_holds`), collection and its export,
WeChat Pay (`payments`, `payment_cancel`, `pay_notifications`, `settlement`, `pending_orders`,
`reconciliation`, `anomalies`), cash (`offline_payments`), the ledger and receipts, meter
readings (`meter_readings`, `meter_confirmations`), and two-person changes (`approvals`,
`pending_changes`, `meter_voids`)."""
