// Client-side checks that mirror the server's schemas (server/api/schemas/),
// so residents see the problem before a round trip. Each returns {field: message};
// an empty object means valid.
const { RELATION_LABELS } = require('./labels')
const { formatYuan, parseYuan } = require('./money')

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/
// Multi-line text keeps newlines; the server refuses other control characters
// and line/paragraph separators.
const MULTILINE_BAD_CHARS = /[\u0000-\u0009\u000b-\u001f\u007f\u2028\u2029]/
const NAME_MAX = 32
const REASON_MAX = 200
const TITLE_MAX = 30
const DESCRIPTION_MAX = 1000
const NOTE_MAX = 500
const REFERRAL_MAX = 60

// Characters that show as nothing: Unicode's default-ignorable ones (zero-width
// spaces, joiners, variation selectors, the Hangul blanks WeChat nicknames use, tags)
// and the blank braille pattern. Names refuse them, so two names that look the same
// are the same (server/api/schemas/fields.py, which also refuses the rarer format
// characters). No `u` flag: the characters beyond U+FFFF are their surrogate pairs.
const INVISIBLE_CHARS = new RegExp(
  '[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2060-\u206f' +
    '\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\u2800]' +
    '|\ud82f[\udca0-\udca3]' + // U+1BCA0–1BCA3 shorthand format controls
    '|\ud834[\udd73-\udd7a]' + // U+1D173–1D17A musical format controls
    '|[\udb40-\udb43][\udc00-\udfff]' // U+E0000–E0FFF tags, variation selectors
)
// Combining marks (accents) of the common blocks: a name of these alone shows no letter.
const MARKS_ONLY = /^[\s\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\u3099\u309a\ufe20-\ufe2f]+$/
// Bidirectional overrides make a name read otherwise than it is; refused like controls.
const BIDI_CHARS = /[\u202a-\u202e\u2066-\u2069]/

// Length in characters as Python counts them (code points, not UTF-16 units).
const charCount = (text) => Array.from(text).length

// Half of a UTF-16 surrogate pair on its own: no text the server can store.
function hasLoneSurrogate(text) {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) i++
      else return true
    } else if (code >= 0xdc00 && code <= 0xdfff) return true
  }
  return false
}

// A one-line text: 1..max characters after trimming, no newlines.
function checkText(value, max, emptyMessage) {
  const text = (value || '').trim()
  if (!text) return emptyMessage
  if (charCount(text) > max) return `最多 ${max} 个字`
  if (CONTROL_CHARS.test(text) || BIDI_CHARS.test(text)) return '不能包含换行或控制字符'
  if (hasLoneSurrogate(text)) return '包含无法识别的字符，请删除后重新输入'
  return ''
}

// How a person is called: a one-line text with no invisible characters.
function checkName(value, emptyMessage) {
  const problem = checkText(value, NAME_MAX, emptyMessage)
  if (problem) return problem
  if (INVISIBLE_CHARS.test(value)) return '不能包含看不见的字符（如零宽空格），请删除后重新输入'
  return MARKS_ONLY.test(value.trim()) ? '称呼里要有文字，不能只有附加符号' : ''
}

// A multi-line text (description, note): 1..max characters after trimming.
// Windows line ends are the caller's to turn into "\n" (see cleanMultiline).
function checkMultiline(value, max, emptyMessage) {
  const text = (value || '').trim()
  if (!text) return emptyMessage
  if (charCount(text) > max) return `最多 ${max} 个字`
  if (MULTILINE_BAD_CHARS.test(text)) return '包含不允许的字符'
  return ''
}

// An optional one-line text: empty is fine.
function checkOptional(value, max) {
  return (value || '').trim() ? checkText(value, max, '') : ''
}

// What is sent for a multi-line text: trimmed, with "\r\n" as "\n".
function cleanMultiline(value) {
  return (value || '').replace(/\r\n?/g, '\n').trim()
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
    name: checkName(name, '请填写您的称呼'),
    relation: checkRelation(relation),
  })
}

function validateRedeem({ code, name, relation }) {
  const length = (code || '').trim().length
  return collect({
    code: length >= 4 && length <= 20 ? '' : '请输入邀请码（4–20 位）',
    name: checkName(name, '请填写您的称呼'),
    relation: checkRelation(relation),
  })
}

// The reason a reviewer gives for rejecting a request (or a committee member
// for rejecting a recorded cash payment: pass its own empty message).
function checkReason(reason, emptyMessage = '请填写拒绝理由') {
  return checkText(reason, REASON_MAX, emptyMessage)
}

const OFFLINE_NOTE_MAX = 200
const DAY = /^\d{4}-\d{2}-\d{2}$/

// A cash or transfer payment as a collector records it. `today` is
// "YYYY-MM-DD" in Asia/Shanghai; the server refuses a day after it.
function validateOfflinePayment({ billIds, method, paidOn, note }, today) {
  let day = DAY.test(paidOn || '') ? '' : '请选择缴费日期'
  if (!day && today && paidOn > today) day = '缴费日期不能晚于今天'
  return collect({
    bill_ids: billIds && billIds.length ? '' : '请至少选择一笔账单',
    method: method ? '' : '请选择缴费方式',
    paid_on: day,
    note: checkOptional(note, OFFLINE_NOTE_MAX),
  })
}

const isPositiveInt = (value) => /^\d{1,18}$/.test(String(value).trim()) && Number(value) > 0

// The report form. `location` is the chosen place (null when none);
// `onBehalf` adds the neighbour's name and the id of the room picked for them.
function validateIssue({ category, title, description, location, onBehalf, onBehalfName, householdId }) {
  const checks = {
    category: category ? '' : '请选择类别',
    title: checkText(title, TITLE_MAX, '请填写标题'),
    description: checkMultiline(cleanMultiline(description), DESCRIPTION_MAX, '请描述一下问题'),
  }
  if (onBehalf) {
    checks.on_behalf_name = checkName(onBehalfName, '请填写居民的称呼，如 王奶奶')
    checks.household_id = isPositiveInt(householdId || '') ? '' : '请选择居民所在的房间'
  } else {
    checks.location = location ? '' : '请选择位置'
  }
  return collect(checks)
}

// What each issue action needs before it is sent; keys are the server's field names.
// `today` is "YYYY-MM-DD" in Asia/Shanghai, `issueId` the issue acted on.
function validateAction(action, form, { today, issueId } = {}) {
  const note = cleanMultiline(form.note)
  const optionalNote = note ? checkMultiline(note, NOTE_MAX, '') : ''
  switch (action) {
    case 'refer':
      return collect({
        referral_body: checkText(form.referral_body, REFERRAL_MAX, '请填写承办单位'),
        referral_contact: checkOptional(form.referral_contact, REFERRAL_MAX),
        referral_ref: checkOptional(form.referral_ref, REFERRAL_MAX),
        follow_up_on: checkFollowUp(form.follow_up_on, today),
        note: optionalNote,
      })
    case 'resolve':
      return collect({ note: checkMultiline(note, NOTE_MAX, '请说明处理结果') })
    case 'confirm':
      return collect({
        rating: form.rating >= 1 && form.rating <= 5 ? '' : '请为处理结果打分（1–5 星）',
        note: optionalNote,
      })
    case 'reopen':
      return collect({ note: checkMultiline(note, NOTE_MAX, '请说明哪里还没有解决') })
    case 'reject':
      return collect({ note: checkMultiline(note, NOTE_MAX, '请说明不予受理的原因') })
    case 'mark_duplicate':
      return collect({ duplicate_of: checkDuplicateOf(form.duplicate_of, issueId), note: optionalNote })
    default:
      return collect({ note: optionalNote })
  }
}

function checkFollowUp(day, today) {
  if (!day) return '请选择跟进日期'
  return today && day < today ? '跟进日期不能早于今天' : ''
}

function checkDuplicateOf(value, issueId) {
  if (!isPositiveInt(value || '')) return '请填写重复事项的编号（数字）'
  return Number(value) === Number(issueId) ? '不能与本事项自身重复' : ''
}

// A return-visit note is optional.
function checkVisitNote(note) {
  const text = cleanMultiline(note)
  return text ? checkMultiline(text, NOTE_MAX, '') : ''
}

const RESOLUTION_MAX = 200

// Resolving a payment anomaly: a one-line note and the refund made, in yuan as
// typed, at most `dueFen`. Returns {errors, body}: body is what is sent
// ({resolution, refunded_fen}) when there are no errors.
function validateResolution({ note, refund }, dueFen = 0) {
  const refundedFen = dueFen > 0 ? parseYuan(refund) : 0
  let refundError = ''
  // Money owed back: each record is a refund made (it may come in parts).
  if (refundedFen === null || (dueFen > 0 && refundedFen === 0)) {
    refundError = '请填写本次已退的金额（元），最多两位小数'
  } else if (refundedFen > dueFen) refundError = `退款不能超过尚需退还的 ${formatYuan(dueFen)} 元`
  const errors = collect({
    resolution: checkText(note, RESOLUTION_MAX, '请填写处理说明'),
    refunded_fen: refundError,
  })
  const body = { resolution: (note || '').trim(), refunded_fen: refundedFen }
  return { errors, body: Object.keys(errors).length ? null : body }
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/

// A unit's electricity for a month, as entered: the amount in yuan as typed
// (more than 0, two decimals at most), a month no later than `latestMonth`
// ("YYYY-MM", next month in Shanghai). Returns {errors, body}: body is what is
// sent ({unit_id, period, amount_fen}) when there are no errors.
function validateMeterReading({ unitId, month, amount }, latestMonth) {
  const amountFen = parseYuan(amount)
  let period = MONTH.test(month || '') ? '' : '请选择月份'
  if (!period && latestMonth && month > latestMonth) period = '最晚只能录入下个月的电费'
  const errors = collect({
    unit_id: unitId ? '' : '请选择单元',
    period,
    amount_fen: amountFen ? '' : '请填写电费金额（元），最多两位小数',
  })
  const body = { unit_id: unitId, period: month, amount_fen: amountFen }
  return { errors, body: Object.keys(errors).length ? null : body }
}

module.exports = {
  validateMeterReading,
  validateResolution,
  validateBinding,
  validateRedeem,
  checkReason,
  checkName,
  checkText,
  checkOptional,
  validateOfflinePayment,
  validateIssue,
  validateAction,
  checkVisitNote,
  cleanMultiline,
}
