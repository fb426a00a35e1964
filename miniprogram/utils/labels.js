// Chinese labels for the server's machine values.
//
// The server is the one source of this wording (server/labels.py): GET
// /api/v1/config sends it as `labels` ({group: {code: 中文}}) with a
// `labels_version`. api/config.js hands each answer to useServerLabels(), which
// keeps it and stores the last good copy (wx storage, under STORAGE_KEY) so that
// an offline start still speaks the server's words. The *Label() functions,
// labelsFor() and optionsFor() read the server's labels when there are any, else
// the built-in copy below: only a fallback, kept equal to the server's by
// tests/server/api/test_labels_sync.py. The *_LABELS and *_OPTIONS constants are
// that built-in copy as it always was.

const ROLE_LABELS = {
  resident: '住户',
  liaison: '单元联络人',
  building_lead: '楼栋长',
  committee: '业委会委员',
  supervisor: '财务监督',
  admin: '平台管理员',
}

const RELATION_LABELS = {
  owner: '业主',
  tenant: '租户',
  family: '家属',
}

const STATUS_LABELS = {
  pending: '待审核',
  approved: '已通过',
  rejected: '已拒绝',
  cancelled: '已撤回',
  expired: '已过期',
}

// Issues: the same labels GET /api/v1/config sends, used when it cannot be read.
const ISSUE_CATEGORY_LABELS = {
  repair: '报修',
  hazard: '安全隐患',
  dispute: '矛盾纠纷',
  care: '困难帮扶',
  suggestion: '建议',
  other: '其他',
}

const ISSUE_STATUS_LABELS = {
  submitted: '待受理',
  accepted: '处理中',
  referred: '已转办',
  resolved: '已解决',
  closed: '已完成',
  rejected: '不予受理',
  duplicate: '重复事项',
}

// Button texts for the actions an issue's detail offers (`actions`).
const ISSUE_ACTION_BUTTONS = {
  accept: '受理',
  refer: '转办',
  resolve: '办结',
  confirm: '确认完成',
  reopen: '重新打开',
  reject: '不予受理',
  mark_duplicate: '标为重复',
}

// What a role's scope_id counts (a role 'liaison' on the 'unit' 7).
const SCOPE_LABELS = {
  household: '户',
  unit: '单元',
  building: '楼栋',
  compound: '小区',
  platform: '平台',
}

// Fees: a bill, an online payment, a cash or transfer payment.
const BILL_STATUS_LABELS = {
  unpaid: '未缴',
  pending: '支付中',
  paid: '已缴',
  cancelled: '已作废', // its electricity reading was voided: owed by nobody
}

// A unit's electricity reading: bills only once a second committee member confirms it.
const READING_STATUS_LABELS = {
  pending: '待确认',
  confirmed: '已确认',
  rejected: '已驳回',
  voided: '已作废',
}

// Changes of money waiting for a second committee member (GET .../pending-changes).
const CHANGE_KIND_LABELS = {
  meter_reading: '电费读数',
  meter_void: '作废电费读数',
  fee_change: '收费标准调整',
  refund: '退款登记',
}

// disputed: WeChat Pay took another amount than the order's; the bills are
// unpaid again and the committee refunds the money.
const PAYMENT_STATUS_LABELS = {
  pending: '待支付',
  paid: '已支付',
  closed: '已关闭',
  disputed: '金额异常', // as in the server's Excel export
}

// What a resident is told of a disputed payment (the bills page, 缴费记录).
const PAYMENT_DISPUTED_MESSAGE = '支付金额与账单不符，业委会将核对并退款，账单已恢复为待缴'

// What went wrong with a payment (GET /compounds/{code}/payment-anomalies).
const ANOMALY_KIND_LABELS = {
  amount_mismatch: '通知金额不符',
  amount_disputed: '金额不符',
  double_payment: '重复缴费',
  duplicate_transaction: '交易号重复',
  reading_voided: '电费作废退款',
}

const OFFLINE_METHOD_LABELS = {
  cash: '现金',
  transfer: '转账',
  other: '其他',
}

const OFFLINE_STATUS_LABELS = {
  pending: '待确认',
  confirmed: '已确认',
  rejected: '已驳回',
}

// For <picker range-key="label">, in the server's order.
const RELATION_OPTIONS = Object.keys(RELATION_LABELS).map((value) => ({
  value,
  label: RELATION_LABELS[value],
}))

const OFFLINE_METHOD_OPTIONS = Object.keys(OFFLINE_METHOD_LABELS).map((value) => ({
  value,
  label: OFFLINE_METHOD_LABELS[value],
}))

// Roles that may review binding requests.
const REVIEWER_ROLES = ['liaison', 'committee']

// Roles that handle issues (the workspace) and may file for a neighbour.
const HANDLER_ROLES = ['liaison', 'building_lead', 'committee']

// Roles that take cash and transfers (收费登记).
const COLLECTOR_ROLES = ['liaison', 'committee']

// Roles that confirm what a collector recorded (a second committee member).
const CONFIRMER_ROLES = ['committee']

// Roles that read the collection figures (收缴情况), the payment anomalies and
// the daily reconciliation reports.
const FINANCE_ROLES = ['committee', 'supervisor']

// Roles that resolve a payment anomaly (the supervisor only reads them).
const ANOMALY_RESOLVER_ROLES = ['committee']

// Roles that see which liaisons a push reaches (谁能收到提醒).
const REACH_ROLES = ['committee']

// The groups GET /api/v1/config sends, named as the server names them, and our
// copy of each.
const BUILT_IN = {
  issue_category: ISSUE_CATEGORY_LABELS,
  issue_status: ISSUE_STATUS_LABELS,
  issue_action: ISSUE_ACTION_BUTTONS,
  role: ROLE_LABELS,
  scope: SCOPE_LABELS,
  relation: RELATION_LABELS,
  binding_status: STATUS_LABELS,
  bill_status: BILL_STATUS_LABELS,
  reading_status: READING_STATUS_LABELS,
  change_kind: CHANGE_KIND_LABELS,
  payment_status: PAYMENT_STATUS_LABELS,
  anomaly_kind: ANOMALY_KIND_LABELS,
  offline_method: OFFLINE_METHOD_LABELS,
  offline_status: OFFLINE_STATUS_LABELS,
}

const STORAGE_KEY = 'serverLabels'

// {version, labels} from the server, once read (from storage or GET /config).
let served = null

// Only {code: non-empty string} groups of the groups we know are kept.
function cleanLabels(labels) {
  const clean = {}
  for (const group of Object.keys(BUILT_IN)) {
    const words = labels && labels[group]
    if (!words || typeof words !== 'object') continue
    const kept = {}
    for (const code of Object.keys(words)) {
      if (typeof words[code] === 'string' && words[code].trim()) kept[code] = words[code]
    }
    if (Object.keys(kept).length) clean[group] = kept
  }
  return clean
}

function storedCopy() {
  try {
    const copy = typeof wx === 'undefined' ? null : wx.getStorageSync(STORAGE_KEY)
    return copy && copy.labels ? { version: copy.version || null, labels: cleanLabels(copy.labels) } : null
  } catch (err) {
    return null
  }
}

function serverLabels() {
  if (!served) served = storedCopy() || { version: null, labels: {} }
  return served.labels
}

// GET /config's answer: use its labels from now on and store them when their
// version is not the stored one. A server without `labels` (older) still sends
// the issue categories and statuses; an answer with neither changes nothing.
function useServerLabels(config) {
  if (!config || typeof config !== 'object') return
  const sent = config.labels || { issue_category: config.categories, issue_status: config.statuses }
  const labels = cleanLabels(sent)
  if (!Object.keys(labels).length) return
  const version = config.labels ? config.labels_version || null : null
  const before = storedCopy()
  served = { version, labels }
  if (config.labels && (!before || before.version !== version || !version)) {
    try {
      wx.setStorageSync(STORAGE_KEY, { version, labels })
    } catch (err) {
      // Storage full or refused: the labels still serve this run.
    }
  }
}

// {code: 中文} of a group: the server's, else ours.
const labelsFor = (group) => serverLabels()[group] || BUILT_IN[group] || {}

// The word for a code: the server's, else ours, else `fallback`.
function label(group, code, fallback) {
  const words = serverLabels()[group]
  if (words && words[code]) return words[code]
  return (BUILT_IN[group] || {})[code] || fallback
}

const roleLabel = (role) => label('role', role, role)
const scopeLabel = (scope) => label('scope', scope, scope || '')
const relationLabel = (relation) => label('relation', relation, relation || '')
const statusLabel = (status) => label('binding_status', status, status)
const issueStatusLabel = (status) => label('issue_status', status, status)
const issueCategoryLabel = (category) => label('issue_category', category, category || '')
const issueActionLabel = (action) => label('issue_action', action, '')
const billStatusLabel = (status) => label('bill_status', status, status)
const paymentStatusLabel = (status) => label('payment_status', status, status)
const offlineMethodLabel = (method) => label('offline_method', method, method || '')
const offlineStatusLabel = (status) => label('offline_status', status, status)
const anomalyKindLabel = (kind) => label('anomaly_kind', kind, '其他缴费异常')
const readingStatusLabel = (status) => label('reading_status', status, status)
const changeKindLabel = (kind) => label('change_kind', kind, '待确认事项')

// [{value, label}] for a picker, from {value: label} (the config's or ours).
const optionsOf = (labels) => Object.keys(labels).map((value) => ({ value, label: labels[value] }))

// A group as picker options in our order (the server's JSON arrives with sorted
// keys: 现金, 其他, 转账), in the server's words; codes only the server knows last.
function optionsFor(group) {
  const words = labelsFor(group)
  const ours = Object.keys(BUILT_IN[group] || {}).filter((code) => code in words)
  const theirs = Object.keys(words).filter((code) => !ours.includes(code))
  return ours.concat(theirs).map((value) => ({ value, label: words[value] }))
}

module.exports = {
  ROLE_LABELS,
  RELATION_LABELS,
  STATUS_LABELS,
  ISSUE_CATEGORY_LABELS,
  ISSUE_STATUS_LABELS,
  ISSUE_ACTION_BUTTONS,
  BILL_STATUS_LABELS,
  READING_STATUS_LABELS,
  CHANGE_KIND_LABELS,
  PAYMENT_STATUS_LABELS,
  PAYMENT_DISPUTED_MESSAGE,
  ANOMALY_KIND_LABELS,
  OFFLINE_METHOD_LABELS,
  OFFLINE_STATUS_LABELS,
  SCOPE_LABELS,
  RELATION_OPTIONS,
  OFFLINE_METHOD_OPTIONS,
  REVIEWER_ROLES,
  HANDLER_ROLES,
  COLLECTOR_ROLES,
  CONFIRMER_ROLES,
  FINANCE_ROLES,
  ANOMALY_RESOLVER_ROLES,
  REACH_ROLES,
  STORAGE_KEY,
  useServerLabels,
  labelsFor,
  optionsFor,
  label,
  roleLabel,
  scopeLabel,
  relationLabel,
  statusLabel,
  issueStatusLabel,
  issueCategoryLabel,
  issueActionLabel,
  billStatusLabel,
  paymentStatusLabel,
  offlineMethodLabel,
  offlineStatusLabel,
  anomalyKindLabel,
  readingStatusLabel,
  changeKindLabel,
  optionsOf,
}
