// Public income in plain words: assets, contracts (what is due next, what is
// overdue), income records, and the three forms (登记收入, 新增合同, 新增资产)
// checked before they are sent. Money stays integer fen; yuan are text.
const { formatYuan, parseYuan } = require('./money')
const { formatDate, formatTime } = require('./format')
const { label } = require('./labels')
const { checkText, checkOptional } = require('./validate')

const DAY = /^\d{4}-\d{2}-\d{2}$/

// "2027-01-01" → "2027年1月1日" (the year, for dates far from now).
const longDate = (day) => (day ? `${Number(day.slice(0, 4))}年${formatDate(day)}` : '')

function assetView(asset) {
  return {
    id: asset.id,
    kind: asset.kind,
    kindLabel: label('asset_kind', asset.kind, '其他'),
    name: asset.name,
    location: asset.location || '',
    note: asset.note || '',
    active: asset.active !== false,
    photos: asset.photos || [],
  }
}

// What the committee needs to know of a contract, each in one line.
function contractView(contract) {
  const overdue = contract.overdue || []
  const next = contract.next_due
  let nextLine = ''
  if (contract.ended) nextLine = '合同已提前终止'
  else if (next) nextLine = `下一期：${longDate(next.due_on)}应收 ¥${formatYuan(next.amount_fen)}`
  else nextLine = '没有待收的款项了'
  const overdueLine = overdue.length
    ? `逾期未收 ${overdue.length} 期，共 ¥${formatYuan(contract.overdue_fen)}（最早 ${longDate(overdue[0].due_on)}）`
    : ''
  return {
    id: contract.id,
    counterparty: contract.counterparty,
    assetName: contract.asset_name || '',
    kindLabel: label('income_kind', contract.kind, '其他收入'),
    price: formatYuan(contract.price_fen),
    cycleLabel: label('contract_cycle', contract.cycle, ''),
    period: `${longDate(contract.start_on)} 至 ${longDate(contract.end_on)}`,
    ended: Boolean(contract.ended),
    nextLine,
    overdueLine,
    paidLine: `已收 ${contract.paid_count || 0} 期，共 ¥${formatYuan(contract.paid_fen || 0)}${
      contract.waiting_count ? `；${contract.waiting_count} 期已登记待确认` : ''
    }`,
    total: contract.instalment_count || 0,
  }
}

function incomeView(income) {
  const instalment = income.instalment
  return {
    id: income.id,
    kindLabel: label('income_kind', income.kind, '其他收入'),
    amount: formatYuan(income.amount_fen),
    receivedOn: longDate(income.received_on),
    methodLabel: label('pay_method', income.method, income.method || ''),
    payer: income.payer || '',
    instalmentLine: instalment ? `合同 ${longDate(instalment.due_on)} 一期（应收 ¥${formatYuan(instalment.amount_fen)}）` : '',
    note: income.note || '',
    status: income.status,
    statusLabel: label('income_status', income.status, income.status),
    recordedBy: income.recorded_by || '',
    decidedBy: income.decided_by || '',
    reason: income.reason || '',
    mine: Boolean(income.mine),
    receipt: (income.receipt || [])[0] || 0,
    createdAt: formatTime(income.created_at),
  }
}

function checkDay(value, emptyMessage) {
  return DAY.test(value || '') ? '' : emptyMessage
}

// The amount typed in yuan → fen, or an error in plain words.
function amountProblem(text) {
  const fen = parseYuan(text)
  if (fen === null) return { fen: null, error: '请填写金额，如 300 或 300.50' }
  if (fen <= 0) return { fen: null, error: '金额要大于 0' }
  return { fen, error: '' }
}

// 登记收入. Keys of the errors are the server's field names.
function incomeBody(form, today) {
  const { fen, error } = amountProblem(form.amount)
  let day = checkDay(form.receivedOn, '请选择收款日期')
  if (!day && today && form.receivedOn > today) day = '收款日期不能晚于今天'
  const errors = collect({
    kind: form.kind ? '' : '请选择收入类别',
    amount_fen: error,
    received_on: day,
    method: form.method ? '' : '请选择收款方式',
    payer: form.contractId ? '' : checkOptional(form.payer, 100),
    note: checkOptional(form.note, 200),
  })
  const body = {
    kind: form.kind,
    amount_fen: fen,
    received_on: form.receivedOn,
    method: form.method,
    contract_id: form.contractId || null,
    payer: form.contractId ? null : (form.payer || '').trim() || null,
    note: (form.note || '').trim() || null,
    receipt: form.receipt || null,
  }
  return { errors, body }
}

// 新增合同.
function contractBody(form) {
  const { fen, error } = amountProblem(form.price)
  let end = checkDay(form.endOn, '请选择结束日期')
  if (!end && DAY.test(form.startOn || '') && form.endOn <= form.startOn) end = '结束日期要晚于开始日期'
  const errors = collect({
    counterparty: checkText(form.counterparty, 100, '请填写对方名称，如 顺达广告公司'),
    kind: form.kind ? '' : '请选择收入类别',
    price_fen: error,
    cycle: form.cycle ? '' : '请选择收款周期',
    start_on: checkDay(form.startOn, '请选择开始日期'),
    end_on: end,
    note: checkOptional(form.note, 1000),
  })
  const body = {
    asset_id: form.assetId || null,
    counterparty: (form.counterparty || '').trim(),
    kind: form.kind,
    price_fen: fen,
    cycle: form.cycle,
    start_on: form.startOn,
    end_on: form.endOn,
    note: (form.note || '').trim() || null,
    scan: form.scan || [],
  }
  return { errors, body }
}

// 新增资产.
function assetBody(form) {
  const errors = collect({
    kind: form.kind ? '' : '请选择资产类别',
    name: checkText(form.name, 100, '请填写名称，如 东门广告牌'),
    location: checkOptional(form.location, 200),
    note: checkOptional(form.note, 200),
  })
  const body = {
    kind: form.kind,
    name: (form.name || '').trim(),
    location: (form.location || '').trim() || null,
    note: (form.note || '').trim() || null,
    photos: form.photos || [],
  }
  return { errors, body }
}

function collect(checks) {
  const errors = {}
  for (const field of Object.keys(checks)) if (checks[field]) errors[field] = checks[field]
  return errors
}

module.exports = { assetView, contractView, incomeView, incomeBody, contractBody, assetBody, longDate }
