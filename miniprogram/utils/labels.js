// Chinese labels for the server's machine values.

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

// For <picker range-key="label">, in the server's order.
const RELATION_OPTIONS = Object.keys(RELATION_LABELS).map((value) => ({
  value,
  label: RELATION_LABELS[value],
}))

// Roles that may review binding requests.
const REVIEWER_ROLES = ['liaison', 'committee']

// Roles that handle issues (the workspace) and may file for a neighbour.
const HANDLER_ROLES = ['liaison', 'building_lead', 'committee']

const roleLabel = (role) => ROLE_LABELS[role] || role
const relationLabel = (relation) => RELATION_LABELS[relation] || relation || ''
const statusLabel = (status) => STATUS_LABELS[status] || status
const issueStatusLabel = (status) => ISSUE_STATUS_LABELS[status] || status
const issueCategoryLabel = (category) => ISSUE_CATEGORY_LABELS[category] || category || ''

// [{value, label}] for a picker, from {value: label} (the config's or ours).
const optionsOf = (labels) => Object.keys(labels).map((value) => ({ value, label: labels[value] }))

module.exports = {
  ROLE_LABELS,
  RELATION_LABELS,
  STATUS_LABELS,
  ISSUE_CATEGORY_LABELS,
  ISSUE_STATUS_LABELS,
  ISSUE_ACTION_BUTTONS,
  RELATION_OPTIONS,
  REVIEWER_ROLES,
  HANDLER_ROLES,
  roleLabel,
  relationLabel,
  statusLabel,
  issueStatusLabel,
  issueCategoryLabel,
  optionsOf,
}
