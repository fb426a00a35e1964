// Personal information (个人信息) as the pages show it: the access log (who read
// whose record), who viewed my household, my household's census record and the
// member form's checks. Pure.
const { label, roleLabel, relationLabel } = require('./labels')
const { formatTime } = require('./format')

// Roles that read the compound's access log (查看记录).
const ACCESS_LOG_ROLES = ['committee', 'supervisor']

// The census's own check of a phone (server/services/census/crypto.py): a
// mobile, or a landline with its area code.
const PHONE = /^(1\d{10}|0\d{2,3}-?\d{7,8})$/
const NAME_MAX = 32

// One line of GET /compounds/{code}/access-log.
function accessLogView(item) {
  const actor = item.actor || {}
  return {
    id: item.id,
    time: formatTime(item.at),
    actor: [actor.role ? roleLabel(actor.role) : '', actor.name || ''].filter(Boolean).join(' ') || '系统',
    action: item.action_label || label('access_action', item.action, item.action),
    household: item.household || '',
    reason: item.reason || '',
  }
}

// One line of GET /me/household-views.
function householdViewLine(item, index) {
  return {
    key: `${item.at}-${index}`,
    time: formatTime(item.at),
    who: item.who || '',
    action: item.action_label || '',
    reason: item.reason || '',
  }
}

function memberView(member) {
  return {
    id: member.id,
    name: member.name || '',
    relation: relationLabel(member.relation),
    ageBand: label('age_band', member.age_band, ''),
    phone: member.phone || '',
    wechat: member.uses_wechat ? '用微信' : '不用微信',
    bound: Boolean(member.bound),
  }
}

// GET /households/{id}/census as the resident's own page shows it.
function censusView(census) {
  const confirmed = census.confirmed_at
    ? `上次确认：${formatTime(census.confirmed_at)}${census.confirmed_by ? `（${census.confirmed_by}）` : ''}`
    : '还没有确认过'
  return {
    label: (census.household && census.household.label) || '',
    members: (census.members || []).map(memberView),
    rawMembers: census.members || [],
    tagsText: (census.tags || []).map((tag) => label('care_tag', tag, tag)).join('、') || '没有',
    showTags: Array.isArray(census.tags),
    occupancy: label('residence', census.occupancy, ''),
    confirmed,
    stale: Boolean(census.stale),
    canEdit: !census.may || census.may.edit_members !== false,
    consent: census.consent || null,
  }
}

// The member form → {errors} or {body} ({name, relation, age_band, phone?,
// uses_wechat}). `editing`: an empty phone leaves the number as it is.
function validateMember(form, { editing = false } = {}) {
  const errors = {}
  const name = form.name.trim()
  if (!name) errors.name = '请填写称呼'
  else if (name.length > NAME_MAX) errors.name = `称呼最多 ${NAME_MAX} 个字`
  const relation = form.relations[form.relationIndex]
  if (!relation) errors.relation = '请选择与本户的关系'
  const ageBand = form.ageBands[form.ageBandIndex]
  if (!ageBand) errors.age_band = '请选择年龄段'
  const phone = form.phone.replace(/\s/g, '')
  if (phone && !PHONE.test(phone)) errors.phone = '电话号码不对：手机号是 11 位数字，座机请带区号'
  if (!editing && !form.agreed) errors.consent = '请先阅读上面的告知，并勾选同意'
  if (Object.keys(errors).length) return { errors }
  const body = { name, relation: relation.value, age_band: ageBand.value, uses_wechat: Boolean(form.usesWechat) }
  if (phone) body.phone = phone
  return { body }
}

module.exports = { ACCESS_LOG_ROLES, accessLogView, householdViewLine, censusView, validateMember }
