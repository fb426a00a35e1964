// Chinese labels for the server's machine values.
//
// The server is the one source of this wording (server/labels.py): GET
// /api/v1/config sends it as `labels` ({group: {code: 中文}}) with a
// `labels_version`. api/config.js hands each answer to useServerLabels(), which
// keeps it and stores the last good copy (wx storage, under STORAGE_KEY) so that
// an offline start still speaks the server's words. The *Label() functions,
// labelsFor() and optionsFor() read the server's labels when there are any, else
// the built-in copy (utils/labels-builtin.js): only a fallback, kept equal to
// the server's by tests/server/api/test_labels_sync.py. The *_LABELS and
// *_OPTIONS constants are that built-in copy as it always was, exported here too.
// BUILT_IN: {group: {code: 中文}}; the rest: the named constants, re-exported below.
const BUILT_IN_NAMES = Object.assign({}, require('./labels-builtin'))
const { BUILT_IN } = BUILT_IN_NAMES
delete BUILT_IN_NAMES.BUILT_IN

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

// Roles that see the compound at a glance (小区概况).
const OVERVIEW_ROLES = ['committee', 'supervisor', 'building_lead', 'liaison']

// Roles that load the roster of flats (导入房屋名册).
const ROSTER_ROLES = ['committee']

// Roles that read the compound's people and audit log (人员与角色, 任免记录);
// of them, the committee appoints and revokes.
const PEOPLE_ROLES = ['committee', 'supervisor']
const APPOINTER_ROLES = ['committee']

// Roles offered the 小区概况 entry (home, workspace); the page itself is open to
// OVERVIEW_ROLES.
const OVERVIEW_ENTRY_ROLES = ['committee', 'supervisor']

// Roles that hand a unit over (工作交接): the committee, or the unit's liaison.
const HANDOVER_ROLES = ['liaison', 'committee']

// Roles that may share a phone number with the residents they serve (我的联系电话).
const SHARED_PHONE_ROLES = ['liaison', 'building_lead', 'committee']

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
const occupancyLabel = (occupancy) => label('occupancy', occupancy, occupancy || '')
const tenureLabel = (tenure) => label('tenure', tenure, '')

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

module.exports = Object.assign({}, BUILT_IN_NAMES, {
  REVIEWER_ROLES,
  HANDLER_ROLES,
  COLLECTOR_ROLES,
  CONFIRMER_ROLES,
  FINANCE_ROLES,
  ANOMALY_RESOLVER_ROLES,
  REACH_ROLES,
  OVERVIEW_ROLES,
  ROSTER_ROLES,
  PEOPLE_ROLES,
  APPOINTER_ROLES,
  OVERVIEW_ENTRY_ROLES,
  HANDOVER_ROLES,
  SHARED_PHONE_ROLES,
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
  occupancyLabel,
  tenureLabel,
  optionsOf,
})
