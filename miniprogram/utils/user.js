// What the home page shows of GET /api/v1/me.
const {
  REVIEWER_ROLES,
  HANDLER_ROLES,
  COLLECTOR_ROLES,
  CONFIRMER_ROLES,
  FINANCE_ROLES,
  REACH_ROLES,
  PEOPLE_ROLES,
  OVERVIEW_ENTRY_ROLES,
  HANDOVER_ROLES,
  SHARED_PHONE_ROLES,
  APPOINTER_ROLES,
  roleLabel,
  relationLabel,
} = require('./labels')
const { formatArea } = require('./format')

function unique(values) {
  return values.filter((value, index) => value && values.indexOf(value) === index)
}

function householdView(household) {
  return {
    id: household.id,
    label: household.label,
    compoundName: household.compound_name,
    // "85.20 m² · 业主"
    detail: [formatArea(household.area_m2), relationLabel(household.relation)]
      .filter(Boolean)
      .join(' · '),
  }
}

// "单元联络人 · 1-1", "住户 · 1-1-101"
function roleViews(roles) {
  return roles.map((role) => ({
    key: `${role.role}-${role.scope_id}`,
    text: `${roleLabel(role.role)} · ${role.label}`,
  }))
}

// The compounds where I hold one of `roleNames`: [{code, name}], each once.
function roleCompounds(user, roleNames) {
  const compounds = []
  for (const role of user.roles || []) {
    if (!role.compound || !roleNames.includes(role.role)) continue
    if (!compounds.some((c) => c.code === role.compound)) {
      compounds.push({ code: role.compound, name: role.compound_name || role.compound })
    }
  }
  return compounds
}

const holdsRole = (roles, roleNames) => roles.some((role) => role.compound && roleNames.includes(role.role))

function describeUser(user) {
  const households = user.households || []
  const roles = user.roles || []
  return {
    compounds: unique(households.map((h) => h.compound_name).concat(roles.map((r) => r.compound_name))),
    households: households.map(householdView),
    roles: roleViews(roles),
    hasHousehold: households.length > 0,
    canReview: roles.some((role) => REVIEWER_ROLES.includes(role.role)),
    // Issues need a household or a role in a compound; handlers get the workspace.
    canReport: households.length > 0 || roles.some((role) => role.compound),
    canHandle: roles.some((role) => HANDLER_ROLES.includes(role.role)),
    // Fees: residents pay; liaisons and the committee take cash; a second
    // committee member confirms it; the committee and the supervisor read the figures.
    canPay: households.length > 0,
    canCollect: holdsRole(roles, COLLECTOR_ROLES),
    canConfirm: holdsRole(roles, CONFIRMER_ROLES),
    canSeeCollection: holdsRole(roles, FINANCE_ROLES),
    // The committee sees which units' liaisons no push reaches.
    canSeeReach: holdsRole(roles, REACH_ROLES),
    // The committee and the supervisor read who holds which role (人员与角色).
    canSeePeople: holdsRole(roles, PEOPLE_ROLES),
    // 小区概况: the committee and the supervisor (the committee imports there).
    canSeeOverview: holdsRole(roles, OVERVIEW_ENTRY_ROLES),
    // 工作交接 and 我的联系电话 (the workspace).
    canHandover: holdsRole(roles, HANDOVER_ROLES),
    canSharePhone: holdsRole(roles, SHARED_PHONE_ROLES),
    // Public income (公共收益): the committee keeps it, the supervisor reads it.
    canSeeIncome: holdsRole(roles, FINANCE_ROLES),
    // 发布公告: the committee.
    canPostNotice: holdsRole(roles, APPOINTER_ROLES),
  }
}

module.exports = { describeUser, roleCompounds }
