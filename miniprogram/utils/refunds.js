// What people see of refunds through WeChat Pay: the committee's 退款记录
// (pages/refunds), the refund lines under a resident's payment
// (pages/payments), and WeChat Pay's daily statement in the latest daily
// report (pages/collection).
const { label } = require('./labels')
const { formatYuan } = require('./money')
const { formatTime, formatShortTime, formatDate } = require('./format')

const isFen = (value) => typeof value === 'number' && Number.isInteger(value)
const yuan = (fen) => `${formatYuan(isFen(fen) ? fen : 0)} 元`
const statusLabel = (status) => label('refund_status', status, status || '')

// Sent to WeChat Pay, or about to be: the money is on its way.
const ON_ITS_WAY = ['confirmed', 'processing']
// WeChat Pay ended it without the money arriving.
const FAILED = ['closed', 'abnormal', 'failed']

// One of GET /compounds/{code}/refunds, for the committee.
function refundView(refund) {
  const steps = [`${refund.proposed_by || '—'} 提出 ${formatTime(refund.created_at)}`]
  if (refund.confirmed_by) steps.push(`${refund.confirmed_by} 确认 ${formatTime(refund.confirmed_at)}`)
  if (refund.sent_at) steps.push(`交给微信支付 ${formatTime(refund.sent_at)}`)
  if (refund.settled_at) steps.push(`${refund.status === 'success' ? '已退回' : '结束'} ${formatTime(refund.settled_at)}`)
  return {
    id: refund.id,
    paymentId: refund.payment_id,
    household: refund.household || '',
    outTradeNo: refund.out_trade_no || '',
    amount: formatYuan(refund.amount_fen),
    status: refund.status,
    statusLabel: statusLabel(refund.status),
    reason: refund.reason || '',
    steps,
    receivedBy: refund.status === 'success' && refund.received_by ? `退到${payerAccount(refund.received_by)}` : '',
    error: refund.error || '',
    waiting: refund.status === 'proposed',
    failed: FAILED.includes(refund.status),
    tone: toneOf(refund.status),
  }
}

// The status's colour: done (green), failed (red), waiting (dark orange: a
// refund still to be confirmed or on its way is not yet good news), or plain
// (rejected: nothing happened).
function toneOf(status) {
  if (status === 'success') return 'done'
  if (FAILED.includes(status)) return 'failed'
  if (status === 'proposed' || ON_ITS_WAY.includes(status)) return 'waiting'
  return 'plain'
}

// WeChat Pay's "支付用户零钱" as the committee reads it.
function payerAccount(receivedBy) {
  return String(receivedBy).includes('零钱') ? '住户的微信零钱' : `住户的${receivedBy}`
}

// Where the money went back, in the resident's words, as the server's message
// says it (services/money/refund_settlement.where_received): "您的微信零钱",
// "您的招商银行信用卡0403", or the account the payment came from.
function whereReceived(receivedBy) {
  if (!receivedBy) return '您付款时用的微信零钱或银行卡'
  if (String(receivedBy).includes('零钱')) return '您的微信零钱'
  return `您的${receivedBy}`
}

// How long WeChat Pay says a refund takes (its refund API notes: to 零钱
// within 20 minutes; to a bank card up to about 3 working days).
const HOW_LONG = '退回微信零钱一般20分钟内到账，退回银行卡一般要1到3个工作日。'

// The lines under one of the resident's payments (GET /payments), each
// {key, text, detail, tone}: what, where the money goes and when, e.g.
//   退款 12.50 元 · 正在退回 / 12月5日 11:00 已交给微信支付，原路退回您付款时用的…
//   退款 12.50 元 · 已退回 / 12月5日 11:03 已退到您的微信零钱
// tone: waiting, done or failed (the colour). A refund not yet confirmed by
// the committee, or rejected, is not the resident's news.
function paymentRefundLines(payment) {
  return (payment.refunds || [])
    .filter((r) => ON_ITS_WAY.includes(r.status) || r.status === 'success' || FAILED.includes(r.status))
    .map((r, index) => {
      const text = (state) => `退款 ${yuan(r.amount_fen)} · ${state}`
      const key = `${index}`
      if (r.status === 'success') {
        const when = r.settled_at ? `${formatShortTime(r.settled_at)} ` : ''
        return { key, text: text('已退回'), detail: `${when}已退到${whereReceived(r.received_by)}。`, tone: 'done' }
      }
      if (FAILED.includes(r.status)) {
        return { key, text: text('没有退成'), detail: '这笔钱没有退出，业委会会联系您另行退还。', tone: 'failed' }
      }
      const sent = r.sent_at ? `${formatShortTime(r.sent_at)} 已交给微信支付，` : '业委会已同意退款，'
      return { key, text: text('正在退回'), detail: `${sent}原路退回${whereReceived(null)}。${HOW_LONG}`, tone: 'waiting' }
    })
}

// The compound's refunds still on their way (GET /refunds), by the anomaly
// whose money they return: {anomalyId: [refund]}.
function inFlightByAnomaly(refunds) {
  const found = {}
  for (const r of refunds || []) {
    if (!r.anomaly_id || !(r.status === 'proposed' || ON_ITS_WAY.includes(r.status))) continue
    ;(found[r.anomaly_id] = found[r.anomaly_id] || []).push(r)
  }
  return found
}

// "微信退款 25.33 元：待第二人确认（张主任提出）".
function inFlightLine(refund) {
  const who = refund.proposed_by ? `（${refund.proposed_by}提出）` : ''
  return `微信退款 ${yuan(refund.amount_fen)}：${statusLabel(refund.status)}${who}`
}

const STATEMENT_STATES = {
  not_ready: '微信支付还没有生成这一天的对账单，明天再看',
  unreadable: '对账单下载了但读不懂，已请管理员查看',
  unavailable: '暂时下载不到对账单，稍后会再试',
}

// A daily report's `statement` (WeChat Pay's own statement of the day), or null:
// {title, figures: [{label, value}], note, differences}.
function statementView(statement, day) {
  if (!statement) return null
  const title = `${day ? formatDate(day) : ''}微信支付对账单`
  if (statement.status !== 'compared') {
    return { title, figures: [], note: STATEMENT_STATES[statement.status] || '对账单暂不可用', differences: [] }
  }
  const differences = (statement.differences || []).map(String) // Chinese, from the server
  return {
    title,
    figures: [
      { label: '笔数', value: String(isFen(statement.lines) ? statement.lines : 0) },
      { label: '实收', value: yuan(statement.paid_fen) },
      { label: '手续费', value: yuan(statement.fee_fen) },
      { label: '退款', value: yuan(statement.refund_fen) },
      { label: '净入账', value: yuan(statement.net_fen) },
    ],
    note: differences.length ? `与本系统账目有 ${differences.length} 处不同：` : '与本系统账目一致',
    differences,
  }
}

module.exports = { refundView, paymentRefundLines, statementView, inFlightByAnomaly, inFlightLine }
