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
      return statementText(kind, d) || anomalyKindLabel(kind)
  }
}

// What WeChat Pay's daily statement or a refund that did not go through left
// for the committee, in words; '' when the details do not say how much.
function statementText(kind, d) {
  const day = d.day ? formatDate(d.day) : ''
  const money = (fen) => (isFen(fen) ? yuan(fen) : '')
  switch (kind) {
    case 'statement_missing_here':
      if (d.advice) return String(d.advice) // a line we cannot place: the server's own words
      return money(d.amount_fen) && `对账单有、本系统无：微信支付${day}收到 ${money(d.amount_fen)}，本系统还没有入账；系统会向微信支付查询后补记`
    case 'statement_missing_there':
      return money(d.amount_fen) && `本系统有、对账单无：本系统记为已收 ${money(d.amount_fen)}，微信支付${day}的对账单里没有；请在微信支付商户平台核对`
    case 'statement_amount':
      return money(d.expected) && money(d.statement_fen) && `对账单金额不符：本系统 ${money(d.expected)}，对账单 ${money(d.statement_fen)}；请核对后处理差额`
    case 'statement_refund':
      if (d.advice) return String(d.advice)
      return money(d.refund_fen) && `对账单退款不符：${day}的对账单里退款 ${money(d.refund_fen)} 与本系统的退款记录不同；请核对退款记录`
    case 'refund_abnormal': {
      const how = d.status === 'CLOSED' ? '被微信支付关闭' : '出了异常'
      return money(d.amount_fen) && `微信退款没有退成：退给${d.household || '住户'}的 ${money(d.amount_fen)}${how}，钱没有退出；请联系住户另行退还`
    }
    default:
      return ''
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
