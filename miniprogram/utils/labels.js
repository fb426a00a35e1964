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

// For <picker range-key="label">, in the server's order.
const RELATION_OPTIONS = Object.keys(RELATION_LABELS).map((value) => ({
  value,
  label: RELATION_LABELS[value],
}))

// Roles that may review binding requests.
const REVIEWER_ROLES = ['liaison', 'committee']

const roleLabel = (role) => ROLE_LABELS[role] || role
const relationLabel = (relation) => RELATION_LABELS[relation] || relation || ''
const statusLabel = (status) => STATUS_LABELS[status] || status

module.exports = {
  ROLE_LABELS,
  RELATION_LABELS,
  STATUS_LABELS,
  RELATION_OPTIONS,
  REVIEWER_ROLES,
  roleLabel,
  relationLabel,
  statusLabel,
}
