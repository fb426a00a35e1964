// What the collection page shows of payment anomalies and of the daily
// reconciliation with WeChat Pay (server/services/anomalies.py, reconciliation.py).
const { anomalyKindLabel } = require('./labels')
const { formatYuan } = require('./money')
const { formatTime, formatDate } = require('./format')
const { statementView, inFlightLine } = require('./refunds')

const isFen = (value) => typeof value === 'number' && Number.isInteger(value)
const yuan = (fen) => `${formatYuan(fen)} 元`

// One anomaly in plain Chinese, e.g. "重复缴费：账单已由其他方式缴清，应退 25.33 元".
function anomalyText(kind, details) {
  const d = details || {}
  const due = isFen(d.refund_due_fen) ? d.refund_due_fen : 0
  switch (kind) {
    case 'double_payment':
      return `重复缴费：账单已由其他方式缴清，应退 ${yuan(due)}`
    case 'amount_disputed': {
      const received = isFen(d.received) ? yuan(d.received) : '金额不明'
      return `金额不符：应付 ${yuan(d.expected)}，实付 ${received}，应退 ${yuan(due)}`
    }
    case 'amount_mismatch':
      return '通知金额不符，等待与微信支付核对'
    case 'duplicate_transaction':
      return '同一微信交易号重复'
    case 'reading_voided':
      return `电费读数作废：${d.household || '该户'}已缴的电费应退 ${yuan(due)}`
    default:
      return anomalyKindLabel(kind)
  }
}

// What is still to refund: refund_left_fen (a refund may come in parts), or,
// from an older server, the whole amount due.
function refundLeft(anomaly, details) {
  if (isFen(anomaly.refund_left_fen)) return Math.max(anomaly.refund_left_fen, 0)
  const due = isFen(details.refund_due_fen) ? details.refund_due_fen : 0
  return Math.max(due - (isFen(anomaly.refunded_fen) ? anomaly.refunded_fen : 0), 0)
}

// A refund recorded and waiting for a second committee member (it does not
// count yet): "退款 25.33 元待另一位委员确认（张主任登记）".
function pendingRefundText(pending) {
  if (!pending) return ''
  const fen = pending.details && isFen(pending.details.refunded_fen) ? pending.details.refunded_fen : null
  const amount = fen === null ? '' : ` ${yuan(fen)}`
  const who = pending.proposed_by ? `（${pending.proposed_by}登记）` : ''
  return `退款${amount}待另一位委员确认${who}`
}

// One of GET /compounds/{code}/payment-anomalies.
function anomalyView(anomaly) {
  const details = anomaly.details || {}
  const refundDueFen = refundLeft(anomaly, details)
  const refundedFen = isFen(anomaly.refunded_fen) ? anomaly.refunded_fen : 0
  const outTradeNo = details.out_trade_no || ''
  return {
    id: anomaly.id,
    // The WeChat payment the money came with: it can go back the same way.
    paymentId: isFen(anomaly.payment_id) ? anomaly.payment_id : 0,
    kind: anomaly.kind,
    kindLabel: anomalyKindLabel(anomaly.kind),
    text: anomalyText(anomaly.kind, details),
    outTradeNo,
    // What it is about: the order, or the household of a voided electricity bill.
    where: outTradeNo ? `订单 ${outTradeNo}` : details.household || '',
    pendingRefund: pendingRefundText(anomaly.pending_refund),
    createdAt: formatTime(anomaly.created_at),
    refundDueFen,
    refundDue: formatYuan(refundDueFen),
    refunded: refundedFen > 0 ? `已退 ${yuan(refundedFen)}，尚需退还 ${yuan(refundDueFen)}` : '',
    resolved: Boolean(anomaly.resolved_at),
  }
}

// An anomaly's view with its refunds through WeChat Pay still on their way:
// their lines, and what is left to send back beyond them (wechatLeftFen).
function withRefundsInFlight(view, refunds) {
  const list = refunds || []
  const sent = list.reduce((sum, r) => sum + (isFen(r.amount_fen) ? r.amount_fen : 0), 0)
  const left = Math.max(view.refundDueFen - sent, 0)
  return Object.assign({}, view, { wechatRefunds: list.map(inFlightLine), wechatLeftFen: left })
}

// The newest of GET /compounds/{code}/payment-reports, or null without one:
// {line: "11月29日对账：3 笔订单，1 处差异", differences: ["…"], statement}
// (statement: WeChat Pay's own statement of the day, utils/refunds.js).
function reportView(report) {
  if (!report) return null
  const summary = report.summary || {}
  const differences = (report.differences || []).map(String) // in Chinese, from the server
  const count = isFen(summary.differences) ? summary.differences : differences.length
  return {
    day: report.day,
    line: `${formatDate(report.day)}对账：${summary.orders || 0} 笔订单，${count ? `${count} 处差异` : '无差异'}`,
    differences,
    statement: statementView(report.statement, report.day),
  }
}

module.exports = { anomalyText, anomalyView, reportView, withRefundsInFlight }
