// What the fee pages show of bills, payments and collection figures.
const {
  billStatusLabel,
  paymentStatusLabel,
  offlineMethodLabel,
  PAYMENT_DISPUTED_MESSAGE,
} = require('./labels')
const { formatYuan, sumFen, formatRate } = require('./money')
const { formatTime, formatMonth } = require('./format')

// A bill's period: "2026-12" → "2026年12月", "2026Q4" → "2026年第4季度", "2026" → "2026年度".
function periodLabel(period) {
  const text = String(period || '')
  const quarter = /^(\d{4})Q([1-4])$/.exec(text)
  if (quarter) return `${quarter[1]}年第${quarter[2]}季度`
  if (/^\d{4}$/.test(text)) return `${text}年度`
  return formatMonth(text)
}

// One of GET /bills (or /fees/unpaid-bills).
function billView(bill) {
  return {
    id: bill.id,
    itemName: bill.item_name || bill.item || '',
    period: periodLabel(bill.period),
    amountFen: bill.amount_fen,
    amount: formatYuan(bill.amount_fen),
    status: bill.status,
    statusLabel: billStatusLabel(bill.status),
    payable: bill.status === 'unpaid',
    paidOn: formatTime(bill.paid_at).slice(0, 10),
    // The open WeChat Pay order holding a 支付中 bill (it can be cancelled).
    paymentId: bill.payment_id || null,
    selected: false,
  }
}

// The open WeChat Pay orders holding some of these bills, one each, in the
// bills' order: [{id, amount, count}].
function openOrders(bills) {
  const orders = []
  bills.forEach((bill) => {
    if (!bill.paymentId || bill.status !== 'pending') return
    let order = orders.find((o) => o.id === bill.paymentId)
    if (!order) {
      order = { id: bill.paymentId, amountFen: 0, count: 0 }
      orders.push(order)
    }
    order.amountFen += bill.amountFen
    order.count += 1
  })
  return orders.map((o) => ({ id: o.id, amount: formatYuan(o.amountFen), count: o.count }))
}

// The ids ticked in a <checkbox-group> (its values are strings).
const checkedIds = (values) => (values || []).map(Number).filter(Boolean)

// Tick `ids` among the payable bills: {bills, selectedIds, totalFen, total}.
function selectBills(bills, ids) {
  const chosen = bills.filter((b) => b.payable && ids.includes(b.id))
  const selectedIds = chosen.map((b) => b.id)
  const totalFen = sumFen(chosen.map((b) => b.amountFen))
  return {
    bills: bills.map((b) => Object.assign({}, b, { selected: selectedIds.includes(b.id) })),
    selectedIds,
    totalFen,
    total: formatYuan(totalFen),
  }
}

// Every payable bill ticked: how both bill lists open.
const selectAllPayable = (bills) =>
  selectBills(
    bills,
    bills.filter((b) => b.payable).map((b) => b.id)
  )

// One of GET /payments (history) or GET /payments/{id}.
function paymentView(payment) {
  return {
    id: payment.id,
    outTradeNo: payment.out_trade_no,
    amount: formatYuan(payment.total_fen),
    status: payment.status,
    statusLabel: paymentLabel(payment),
    createdAt: formatTime(payment.created_at),
    paidAt: formatTime(payment.paid_at),
    closedAt: formatTime(payment.closed_at),
    note: paymentNote(payment),
  }
}

// A cancelled order reads 已取消 once closed, 取消中 until WeChat Pay closes it.
function paymentLabel(payment) {
  if (payment.cancelled && payment.status === 'closed') return '已取消'
  if (payment.cancelled && payment.status === 'pending') return '取消中'
  return paymentStatusLabel(payment.status)
}

function paymentNote(payment) {
  // disputed: another amount was taken; say what happens next.
  if (payment.status === 'disputed') return PAYMENT_DISPUTED_MESSAGE
  if (payment.cancelled && payment.status === 'pending' && payment.closes_at) {
    return `${formatTime(payment.closes_at).slice(11, 16)} 关闭订单，账单随即恢复为待缴`
  }
  return ''
}

// One of GET /fees/unpaid.
function unpaidView(row) {
  return {
    householdId: row.household_id,
    label: row.label,
    owed: formatYuan(row.owed_fen),
    bills: row.bills,
  }
}

// One of GET /offline-payments (a cash or transfer payment awaiting a decision).
function offlinePaymentView(payment) {
  return {
    id: payment.id,
    householdId: payment.household_id,
    // "1-1-101"; the id when the label is missing.
    householdLabel: payment.household_label || `房屋 ${payment.household_id}`,
    amount: formatYuan(payment.amount_fen),
    method: offlineMethodLabel(payment.method),
    paidOn: payment.paid_on || '',
    note: payment.note || '',
    receiptPhoto: payment.receipt_photo || 0,
    createdAt: formatTime(payment.created_at),
  }
}

function tallyView(tally) {
  return {
    householdsBilled: tally.households_billed,
    householdsPaid: tally.households_paid,
    rate: formatRate(tally.collection_rate),
    billed: formatYuan(tally.billed_fen),
    collected: formatYuan(tally.collected_fen),
  }
}

// GET /fees/summary: the compound's figures, then per building and per unit.
function summaryView(summary) {
  return Object.assign(tallyView(summary), {
    period: formatMonth(summary.period),
    buildings: (summary.by_building || []).map((b) =>
      Object.assign(tallyView(b), { key: `b${b.building}`, label: `${b.building}号楼` })
    ),
    units: (summary.by_unit || []).map((u) =>
      Object.assign(tallyView(u), {
        key: `u${u.building}-${u.unit}`,
        label: `${u.building}号楼${u.unit}单元`,
      })
    ),
  })
}

module.exports = {
  periodLabel,
  billView,
  checkedIds,
  selectBills,
  selectAllPayable,
  openOrders,
  paymentView,
  unpaidView,
  offlinePaymentView,
  summaryView,
}
