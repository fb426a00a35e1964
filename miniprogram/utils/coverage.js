// What 住户登记覆盖 shows of GET /compounds/{code}/census/coverage: for the
// compound (or my part of it), each building and each unit, how many households
// have a confirmed census record and how many are due a visit (never confirmed,
// or more than a year ago). Pure.

// Roles that read coverage: the committee (all), a building lead (the
// building), a liaison (the units).
const COVERAGE_ROLES = ['committee', 'building_lead', 'liaison']

const percentOf = (part, whole) => (whole > 0 ? Math.round((part * 100) / whole) : 0)

// {households, confirmed, stale} → the line and the bar.
function countsView(counts) {
  const households = (counts && counts.households) || 0
  const confirmed = (counts && counts.confirmed) || 0
  const stale = (counts && counts.stale) || 0
  return {
    households,
    confirmed,
    stale,
    percent: percentOf(confirmed, households),
    line: `已登记 ${confirmed} 户，共 ${households} 户`,
    staleLine: stale ? `待上门登记或更新 ${stale} 户` : '都已登记',
  }
}

function coverageView(answer) {
  const buildings = ((answer && answer.buildings) || []).map((b) =>
    Object.assign(countsView(b), {
      key: String(b.building),
      title: `${b.building}号楼`,
      units: (b.units || []).map((u) =>
        Object.assign(countsView(u), { key: String(u.unit_id || u.unit), title: `${u.unit} 单元` })
      ),
    })
  )
  return { totals: countsView(answer && answer.totals), buildings }
}

module.exports = { COVERAGE_ROLES, coverageView }
