// What the liaison's census pages show (我的住户, 住户登记, 关爱走访): the
// server's census, coverage and task shapes in plain words, and the member form
// checked as the server checks it (server/services/census/crypto.py).
const { label, optionsFor, relationLabel } = require('./labels')
const { checkName } = require('./validate')
const { todayInShanghai } = require('./format')

// A mobile (11 digits from 1) or a landline with its area code, as the server takes.
const PHONE = /^(1\d{10}|0\d{2,3}-?\d{7,8})$/
// Tags only volunteers see; party_centre (党员中心户) is a role, not a need.
const SENSITIVE_TAGS = ['elderly_alone', 'disability', 'hardship', 'needs_visits']

const tagLabel = (tag) => label('care_tag', tag, tag)
const tagsText = (tags) => (tags || []).map(tagLabel).join('、') || '没有'
const ageBandLabel = (band) => label('age_band', band, '')
const residenceLabel = (code) => label('residence', code, code || '')

// "12月5日", or "2025年12月5日" in another year (times and dates with their offset).
function dayText(iso, now = Date.now()) {
  if (!iso) return ''
  const text = String(iso)
  const day = `${Number(text.slice(5, 7))}月${Number(text.slice(8, 10))}日`
  return text.slice(0, 4) === todayInShanghai(now).slice(0, 4) ? day : `${text.slice(0, 4)}年${day}`
}

// A phone is shown in full only to those who may call it; masked it has stars.
const isFull = (phone) => Boolean(phone) && !String(phone).includes('*')

function memberView(member) {
  const phone = member.phone || member.phone_masked || ''
  const details = [relationLabel(member.relation), ageBandLabel(member.age_band)]
  return {
    id: member.id,
    name: member.name || '（已匿名）',
    relation: member.relation || '',
    ageBand: member.age_band || '',
    phone,
    callable: isFull(phone),
    usesWechat: Boolean(member.uses_wechat),
    bound: Boolean(member.bound),
    details: details.filter(Boolean).join(' · '),
    wechat: member.bound ? '已用小程序' : member.uses_wechat ? '用微信' : '不用微信',
  }
}

function confirmedText(census, now) {
  if (!census.confirmed_at) return '还没有登记确认过'
  const by = census.confirmed_by ? `，${census.confirmed_by}` : ''
  return `${dayText(census.confirmed_at, now)}确认${by}`
}

// GET /households/{id}/census for the page. `tags` is null when the server
// left them out (the caller may not see them).
function censusView(census, now = Date.now()) {
  const may = census.may || {}
  const tags = Array.isArray(census.tags) ? census.tags : null
  return {
    householdId: census.household.id,
    label: census.household.label,
    members: (census.members || []).map(memberView),
    tags,
    tagsText: tags ? tagsText(tags) : '',
    occupancy: census.occupancy || 'lives_here',
    occupancyLabel: residenceLabel(census.occupancy || 'lives_here'),
    confirmedText: confirmedText(census, now),
    stale: Boolean(census.stale),
    staleText: census.confirmed_at ? '超过一年没有核实，请和住户一起看一遍' : '请和住户一起登记一遍',
    movedOut: Boolean(census.moved_out_at),
    movedOutText: census.moved_out_at ? `${dayText(census.moved_out_at, now)}已整户搬走` : '',
    may: {
      editMembers: Boolean(may.edit_members),
      editTags: Boolean(may.edit_tags),
      seePhone: Boolean(may.see_phone),
      // 整户搬离: the unit's liaison or the committee, as the server says.
      moveOut: Boolean(may.move_out),
    },
    consent: census.consent || null,
  }
}

// The care tags as big toggles, chosen ones on.
function tagChoices(chosen) {
  return optionsFor('care_tag').map((o) => ({
    value: o.value,
    label: o.label,
    on: (chosen || []).includes(o.value),
    sensitive: SENSITIVE_TAGS.includes(o.value),
  }))
}

// The member form: {name, relation, ageBand, phone, usesWechat}. {field: message}.
function validateMember(form) {
  const errors = {}
  const name = checkName(form.name, '请填写称呼，如 王秀兰 或 王奶奶')
  if (name) errors.name = name
  if (!label('relation', form.relation)) errors.relation = '请选择与本户的关系'
  if (!ageBandLabel(form.ageBand)) errors.age_band = '请选择年龄段'
  const phone = cleanPhone(form.phone)
  if (phone === null) errors.phone = '电话号码不对：手机号是 11 位数字，座机请带区号'
  return errors
}

// '' for no phone, the number without spaces, or null when it is not one.
function cleanPhone(text) {
  const value = String(text || '').replace(/\s/g, '')
  if (!value) return ''
  return PHONE.test(value) ? value : null
}

// A coverage count ({households, confirmed, stale}) as a bar and two lines.
function coverageView(totals) {
  const households = (totals && totals.households) || 0
  const confirmed = Math.min((totals && totals.confirmed) || 0, households)
  const percent = households ? Math.round((confirmed * 100) / households) : 0
  return {
    households,
    confirmed,
    stale: (totals && totals.stale) || 0,
    percent,
    barStyle: `width: ${percent}%`,
    line: `已登记确认 ${confirmed} / ${households} 户`,
  }
}

// A row of GET /compounds/{code}/census/households.
function householdRowView(item, now = Date.now()) {
  const tags = Array.isArray(item.tags) ? item.tags.map(tagLabel) : []
  const state = item.confirmed_at ? `${dayText(item.confirmed_at, now)}确认` : '未登记'
  return {
    id: item.household_id,
    label: item.label,
    members: `${item.members || 0} 人`,
    tags: tags.join('、'),
    occupancyLabel: residenceLabel(item.occupancy),
    state,
    stale: Boolean(item.stale),
    ariaLabel: [item.label, `${item.members || 0} 人`, state, item.stale ? '需要核实' : '', tags.join('、')]
      .filter(Boolean)
      .join('，'),
  }
}

const isCareVisit = (task) => task && task.kind === 'care_visit'

// A care visit of GET /me/tasks.
function careTaskView(task, now = Date.now()) {
  const due = dayText(task.due_on, now)
  const level = task.escalation_level || 0
  const escalated = level >= 2 ? '已上报业委会' : level === 1 ? '已上报楼栋长' : ''
  return {
    visitId: task.visit_id,
    householdId: task.household_id,
    label: task.label,
    tag: task.tag,
    tagLabel: tagLabel(task.tag),
    dueOn: task.due_on,
    due,
    overdue: Boolean(task.overdue),
    escalated,
    ariaLabel: [`走访 ${task.label}`, tagLabel(task.tag), task.overdue ? `${due}到期，已超时` : `${due}前`, escalated]
      .filter(Boolean)
      .join('，'),
  }
}

// The query that opens pages/visit for a care task.
function visitUrl(task) {
  const q = `id=${task.visitId}&household_id=${task.householdId}&label=${encodeURIComponent(task.label)}`
  return `/pages/visit/index?${q}&tag=${encodeURIComponent(task.tag || '')}&due_on=${task.dueOn || ''}`
}

module.exports = {
  SENSITIVE_TAGS,
  tagLabel,
  tagsText,
  dayText,
  memberView,
  censusView,
  tagChoices,
  validateMember,
  cleanPhone,
  coverageView,
  householdRowView,
  isCareVisit,
  careTaskView,
  visitUrl,
}
