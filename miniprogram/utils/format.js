// Display helpers.

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000

// The server sends times already in Asia/Shanghai with their offset
// ("2024-05-01T09:30:00+08:00"): show "2024-05-01 09:30" without reparsing,
// so the phone's own time zone cannot shift it.
function formatTime(iso) {
  return iso ? String(iso).slice(0, 16).replace('T', ' ') : ''
}

// Today's date in Asia/Shanghai as "YYYY-MM-DD", whatever the phone's zone.
function todayInShanghai(now = Date.now()) {
  return new Date(now + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10)
}

// This month in Asia/Shanghai as "YYYY-MM" (the server's billing month).
function monthInShanghai(now = Date.now()) {
  return todayInShanghai(now).slice(0, 7)
}

// "2026-12" → "2026年12月"
function formatMonth(month) {
  const match = /^(\d{4})-(\d{2})$/.exec(month || '')
  return match ? `${match[1]}年${Number(match[2])}月` : month || ''
}

// "2024-12-01T15:01:00+08:00" → "12月1日 15:01"; another year is spelled out
// ("2023年12月1日 15:01"). Same no-reparse rule as formatTime.
function formatShortTime(iso, now = Date.now()) {
  if (!iso) return ''
  const text = String(iso)
  const year = text.slice(0, 4)
  const date = `${Number(text.slice(5, 7))}月${Number(text.slice(8, 10))}日 ${text.slice(11, 16)}`
  return year === todayInShanghai(now).slice(0, 4) ? date : `${year}年${date}`
}

// "2024-12-05" → "12月5日"
function formatDate(day) {
  if (!day) return ''
  const text = String(day)
  return `${Number(text.slice(5, 7))}月${Number(text.slice(8, 10))}日`
}

// "85.20" → "85.20 m²"
function formatArea(area) {
  return area ? `${area} m²` : ''
}

module.exports = {
  formatTime,
  formatShortTime,
  formatDate,
  todayInShanghai,
  monthInShanghai,
  formatMonth,
  formatArea,
}
