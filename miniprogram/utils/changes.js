// What the confirm page shows of a change of money waiting for a second
// committee member, and what the electricity page shows of a unit's readings
// (server/services/approvals.py, meter_readings.py, meter_voids.py, fee_items.py).
const { changeKindLabel, readingStatusLabel, occupancyLabel } = require('./labels')
const { formatYuan } = require('./money')
const { formatTime, formatMonth } = require('./format')
const { periodLabel } = require('./bills')

const isFen = (value) => typeof value === 'number' && Number.isInteger(value)
const yuan = (fen) => `¥${formatYuan(fen)}`

const FIELD_LABELS = { rate: '费率', cycle: '收费周期', vacant_rule: '空置房', active: '收费' }
const VALUE_LABELS = {
  monthly: '按月',
  quarterly: '按季',
  yearly: '按年',
  charge: '照收',
  exempt: '免收',
  true: '启用',
  false: '停用',
}

// "0.3500" → "0.35 元/m²/月", "0.3525" → "0.3525 元/m²/月".
function rateText(rate) {
  const match = /^(\d+)(?:\.(\d*?)0*)?$/.exec(String(rate === null || rate === undefined ? '' : rate))
  if (!match) return rate === null || rate === undefined ? '未设' : `${rate} 元/m²/月`
  return `${match[1]}.${(match[2] || '').padEnd(2, '0')} 元/m²/月`
}

const valueText = (field, value) => (field === 'rate' ? rateText(value) : VALUE_LABELS[String(value)] || String(value))

// A reading far above the unit's recent ones: "是近 3 个月平均（¥4.50）的 3.2 倍".
function flagText(flag) {
  if (!flag || !isFen(flag.average_fen)) return ''
  const months = (flag.recent || []).length
  return `偏高：是近 ${months} 次读数平均（${yuan(flag.average_fen)}）的 ${flag.ratio} 倍`
}

// The readings it was compared with: "2026年11月 ¥4.50、2026年10月 ¥5.00".
function flagHistory(flag) {
  return ((flag && flag.recent) || []).map((r) => `${formatMonth(r.period)} ${yuan(r.amount_fen)}`).join('、')
}

// Lines in plain Chinese for one change, by kind; the server's summary when the
// details are not what this version knows.
function changeLines(kind, d, summary, note) {
  switch (kind) {
    case 'meter_reading':
      return [`${d.unit}单元 ${formatMonth(d.period)}公用电费 ${yuan(d.amount_fen)}`, `由 ${d.households} 户分摊`]
    case 'meter_void': {
      const lines = [`作废 ${d.unit}单元 ${formatMonth(d.period)}公用电费 ${yuan(d.amount_fen)}`]
      lines.push(
        d.paid_households
          ? `已缴的 ${d.paid_households} 户共 ${yuan(d.paid_fen)} 转为待退款，其余账单取消`
          : '还没有人缴，账单全部取消'
      )
      return lines
    }
    case 'fee_change':
      return [d.item_name || d.item].concat(
        Object.keys(d.to || {}).map(
          (field) =>
            `${FIELD_LABELS[field] || field}：${valueText(field, (d.from || {})[field])} → ${valueText(field, d.to[field])}`
        )
      )
    case 'refund':
      return [summary]
    case 'wechat_refund':
      return wechatRefundLines(d, summary, note)
    case 'roster_change':
      return rosterLines(d, summary)
    default:
      return [summary]
  }
}

// A refund through WeChat Pay: whose payment, how much, why, in words a
// member reads aloud (no order number: 退款记录 has it). The server's summary
// when the details do not say how much.
function wechatRefundLines(d, summary, note) {
  if (!isFen(d.amount_fen)) return [summary]
  const whose = d.household ? `${d.household} ` : '住户 '
  const lines = [`通过微信支付退给 ${whose}${formatYuan(d.amount_fen)} 元`]
  const reason = d.reason || note
  if (reason) lines.push(`理由：${reason}`)
  return lines
}

// A roster re-import's flats, one line each (the first ROSTER_LINES):
// "1-1-101：面积 72.36 → 80.00 m²", "1-1-102：有人住 → 空置".
const ROSTER_LINES = 10

function rosterLines(d, summary) {
  const flats = Array.isArray(d.households) ? d.households : null
  if (!flats) return [summary]
  const lines = [`房屋名册导入后 ${flats.length} 户的面积或空置状态有变：`]
  for (const flat of flats.slice(0, ROSTER_LINES)) {
    const parts = []
    if (flat.old_area_m2 !== flat.new_area_m2) parts.push(`面积 ${flat.old_area_m2} → ${flat.new_area_m2} m²`)
    if (flat.old_occupancy !== flat.new_occupancy) {
      parts.push(`${occupancyLabel(flat.old_occupancy)} → ${occupancyLabel(flat.new_occupancy)}`)
    }
    lines.push(`${flat.label}：${parts.join('，')}`)
  }
  if (flats.length > ROSTER_LINES) lines.push(`还有 ${flats.length - ROSTER_LINES} 户，见导入记录`)
  return lines
}

// What the confirm dialog asks before the change counts.
function confirmQuestion(kind, d, effective) {
  switch (kind) {
    case 'meter_reading': {
      const base = `确认后按 ${d.households} 户分摊出账。`
      return d.flag ? `${flagText(d.flag)}。请确认已核对读数无误。${base}` : base
    }
    case 'meter_void':
      return '确认后该读数作废：未缴的账单取消，已缴的转为待退款。'
    case 'fee_change':
      return `确认后收费标准${effective}调整。`
    case 'refund':
      return `确认后退款 ${yuan(d.refunded_fen)} 记入账本。`
    case 'wechat_refund':
      return '确认后，钱会立即通过微信支付原路退回给住户，退出后不能撤回。'
    case 'roster_change':
      return `确认后这些房屋的面积/空置状态${effective}按新的计费，已出的账单不变。`
    default:
      return '确认后生效。'
  }
}

// One of GET /compounds/{code}/pending-changes.
function changeView(change) {
  const d = change.details || {}
  const effective = change.effective_period
    ? `自${periodLabel(change.effective_period)}账单起`
    : d.effective_label || ''
  return {
    id: change.id,
    kind: change.kind,
    kindLabel: changeKindLabel(change.kind),
    lines: changeLines(change.kind, d, change.summary || '', change.note || ''),
    effective: change.kind === 'fee_change' || change.kind === 'roster_change' ? effective : '',
    flagged: Boolean(d.flag),
    flag: flagText(d.flag),
    flagHistory: flagHistory(d.flag),
    note: change.note || '',
    proposedBy: change.proposed_by || '',
    createdAt: formatTime(change.created_at),
    mine: Boolean(change.mine),
    question: confirmQuestion(change.kind, d, effective),
  }
}

// One of GET /meter-readings (a unit's readings).
function readingView(reading) {
  const open = reading.open_change
  let waiting = ''
  if (open && open.kind === 'meter_reading') waiting = '等待另一位业委会成员确认，确认后才出账'
  if (open && open.kind === 'meter_void') waiting = '已申请作废，等待另一位业委会成员确认'
  return {
    id: reading.id,
    period: formatMonth(reading.period),
    amount: formatYuan(reading.amount_fen),
    status: reading.status,
    statusLabel: readingStatusLabel(reading.status),
    flag: flagText(reading.flag),
    enteredBy: reading.entered_by || '',
    waiting,
    canVoid: reading.status === 'confirmed' && !open,
  }
}

module.exports = { changeView, readingView, rateText, flagText }
