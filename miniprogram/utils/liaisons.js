// What the home page's 我的联络人 cards and the workspace's phone setting show.

const NO_PHONE_HINT = '可在“报事”里留言，联络人会收到'
const MOBILE = /^1[3-9]\d{9}$/

function contactView(contact, index) {
  const role = contact.role === 'building_lead' ? '楼栋长' : '联络人'
  return {
    key: `${contact.role}-${index}`,
    name: contact.name,
    role,
    phone: contact.phone || '',
    phoneMasked: contact.phone_masked || '',
    callLabel: contact.phone ? `拨打${role}${contact.name}的电话 ${contact.phone_masked}` : '',
  }
}

// One card per household of GET /me/liaisons: its unit, who to turn to, and a
// call button only where a number is shared.
function homeContactsView(item) {
  const liaisons = item.liaisons || []
  const people = (liaisons.length ? liaisons : item.building_leads || []).map(contactView)
  return {
    key: `${item.household_id}`,
    title: item.unit_label,
    household: item.household,
    people,
    // Nobody shared a number: say how to reach them anyway.
    hint: people.length && !people.some((p) => p.phone) ? NO_PHONE_HINT : '',
    note: item.note || '',
  }
}

// A number as typed ("138 1234-5678") → "13812345678", or null if it is not
// an 11-digit mainland mobile.
function cleanMobile(text) {
  const digits = String(text || '').replace(/[\s-]/g, '')
  return MOBILE.test(digits) ? digits : null
}

module.exports = { homeContactsView, cleanMobile, NO_PHONE_HINT }
