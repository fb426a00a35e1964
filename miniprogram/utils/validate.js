// Client-side checks that mirror the server's schemas (server/api/schemas.py),
// so residents see the problem before a round trip. Each returns {field: message};
// an empty object means valid.
const { RELATION_LABELS } = require('./labels')

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/
const NAME_MAX = 32
const REASON_MAX = 200

// Length in characters as Python counts them (code points, not UTF-16 units).
const charCount = (text) => Array.from(text).length

// A one-line text: 1..max characters after trimming, no newlines.
function checkText(value, max, emptyMessage) {
  const text = (value || '').trim()
  if (!text) return emptyMessage
  if (charCount(text) > max) return `最多 ${max} 个字`
  if (CONTROL_CHARS.test(text)) return '不能包含换行或控制字符'
  return ''
}

function checkRelation(relation) {
  return RELATION_LABELS[relation] ? '' : '请选择与房屋的关系'
}

function collect(checks) {
  const errors = {}
  for (const field of Object.keys(checks)) {
    if (checks[field]) errors[field] = checks[field]
  }
  return errors
}

function validateBinding({ compound, building, unit, room, name, relation }) {
  return collect({
    compound: compound ? '' : '请先输入小区编号并查询',
    building: building ? '' : '请选择楼栋',
    unit: unit ? '' : '请选择单元',
    room: /^\d{1,6}$/.test((room || '').trim()) ? '' : '房号应为数字，如 301',
    name: checkText(name, NAME_MAX, '请填写您的称呼'),
    relation: checkRelation(relation),
  })
}

function validateRedeem({ code, name, relation }) {
  const length = (code || '').trim().length
  return collect({
    code: length >= 4 && length <= 20 ? '' : '请输入邀请码（4–20 位）',
    name: checkText(name, NAME_MAX, '请填写您的称呼'),
    relation: checkRelation(relation),
  })
}

// The reason a reviewer gives for rejecting a request.
function checkReason(reason) {
  return checkText(reason, REASON_MAX, '请填写拒绝理由')
}

module.exports = { validateBinding, validateRedeem, checkReason }
