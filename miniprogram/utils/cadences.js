// 走访频率: each care tag's visit cadence as the settings page edits it. Pure.
const { label } = require('./labels')

// Roles that read the cadences; of them, the committee changes them.
const CADENCE_ROLES = ['liaison', 'building_lead', 'committee']
const CADENCE_EDITOR_ROLES = ['committee']
const MAX_DAYS = 365

// {tag, every_days, default} → a row: its switch (visited at all) and its days
// as typed. A tag switched off keeps its default days in the box for turning on.
function cadenceRow(item) {
  const fallback = item.default > 0 ? item.default : 30
  return {
    tag: item.tag,
    label: label('care_tag', item.tag, item.tag),
    on: item.every_days > 0,
    days: String(item.every_days > 0 ? item.every_days : fallback),
    defaultLine: item.default > 0 ? `默认每 ${item.default} 天一次` : '默认不走访',
    error: '',
  }
}

// The rows → {rows} with each bad box's error, or {items} for the PUT.
function cadenceItems(rows) {
  let bad = false
  const checked = rows.map((row) => {
    if (!row.on) return Object.assign({}, row, { error: '' })
    const days = Number(row.days)
    const ok = /^\d+$/.test(String(row.days).trim()) && days >= 1 && days <= MAX_DAYS
    if (!ok) bad = true
    return Object.assign({}, row, { error: ok ? '' : `请填 1 到 ${MAX_DAYS} 之间的天数` })
  })
  if (bad) return { rows: checked }
  return { items: rows.map((row) => ({ tag: row.tag, every_days: row.on ? Number(row.days) : 0 })) }
}

// "独居老人每 7 天、残疾每 14 天，生活困难不走访": what the confirmation says.
function cadenceSummary(items) {
  return items
    .map((item) => `${label('care_tag', item.tag, item.tag)}${item.every_days ? `每 ${item.every_days} 天一次` : '不走访'}`)
    .join('，')
}

module.exports = { CADENCE_ROLES, CADENCE_EDITOR_ROLES, cadenceRow, cadenceItems, cadenceSummary }
