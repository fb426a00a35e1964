// What 小区概况 and 导入房屋名册 show of the server's answers (api/roster.js):
// counts in plain words, each problem as "第 N 行 建筑面积：…", each change of a
// flat, and what happened after loading.
const { occupancyLabel, tenureLabel } = require('./labels')
const { formatShortTime } = require('./format')

// Lists longer than this are cut, with "还有 N 户没有列出".
const LIST_MAX = 50

// "建筑面积(m²)" → "建筑面积": the column as people say it.
const columnName = (column) => String(column || '').replace(/\s*[(（].*$/, '')

// "第 5 行 建筑面积：建筑面积应为数字，如 72.36，这里是“abc”"
function problemText(problem) {
  return `第 ${problem.row} 行 ${columnName(problem.column)}：${problem.message}`
}

// "面积 72.36 → 80.00 m²，有人住 → 空置，备注已改"
function changeText(change) {
  const parts = []
  if (change.old_area_m2 !== change.new_area_m2) parts.push(`面积 ${change.old_area_m2} → ${change.new_area_m2} m²`)
  if (change.old_occupancy !== change.new_occupancy) {
    parts.push(`${occupancyLabel(change.old_occupancy)} → ${occupancyLabel(change.new_occupancy)}`)
  }
  if (change.old_tenure !== change.new_tenure && change.new_occupancy !== 'vacant') {
    parts.push(`改为${tenureLabel(change.new_tenure) || '未填自住/出租'}`)
  }
  if (change.old_floor !== change.new_floor) parts.push(`楼层 ${change.old_floor} → ${change.new_floor}`)
  if (change.old_note !== change.new_note) parts.push('备注已改')
  if (change.old_owner_key !== change.new_owner_key) parts.push('产权人编号已改')
  return parts.join('，')
}

function missingText(flat) {
  const notes = []
  if (flat.has_people) notes.push('有住户绑定')
  if (flat.has_bills) notes.push('有账单')
  return notes.length ? `${flat.label}（${notes.join('、')}）` : flat.label
}

const more = (list) => (list.length > LIST_MAX ? `还有 ${list.length - LIST_MAX} 户没有列出` : '')

// A dry run's (or a load's) report as the page shows it.
function reportView(report) {
  const flats = report.households || {}
  const problems = report.problems || []
  const changes = report.changes || []
  const missing = report.missing || []
  return {
    rows: report.rows || 0,
    counts: [
      { key: 'create', label: '新增房屋', value: flats.create || 0, unit: '户' },
      { key: 'update', label: '有变化', value: flats.update || 0, unit: '户' },
      { key: 'unchanged', label: '没有变化', value: flats.unchanged || 0, unit: '户' },
      { key: 'problems', label: '问题', value: problems.length, unit: '处' },
    ],
    buildingsLine: `将新建 ${(report.buildings || {}).create || 0} 栋楼、${(report.units || {}).create || 0} 个单元`,
    pending: report.pending || 0,
    pendingLine: report.pending
      ? `其中 ${report.pending} 户的面积或空置状态有变，导入后要由另一位业委会委员在「待确认事项」里确认才生效`
      : '',
    problems: problems.slice(0, LIST_MAX).map((p, i) => ({ key: `${p.row}-${i}`, text: problemText(p) })),
    problemsMore: more(problems),
    changes: changes.slice(0, LIST_MAX).map((c) => ({
      label: c.label,
      text: changeText(c),
      waits: Boolean(c.needs_confirmation),
    })),
    changesMore: more(changes),
    missing: missing.slice(0, LIST_MAX).map((m) => ({ label: m.label, text: missingText(m) })),
    missingMore: more(missing),
    canImport: problems.length === 0,
    nothingToDo: problems.length === 0 && !flats.create && !flats.update,
  }
}

// What the page says after loading.
function resultText(result) {
  const flats = result.households || {}
  const text = `已导入：新增 ${flats.create || 0} 户，更新 ${flats.update || 0} 户`
  if (!result.approval_id) return text
  return `${text}；面积变更需另一位委员在「待确认」中确认后生效`
}

// GET /compounds/{code}/overview as 小区概况 shows it.
function overviewView(overview) {
  const totals = overview.totals || {}
  const last = overview.last_import
  return {
    name: overview.name,
    archived: Boolean(overview.archived),
    totals: [
      { key: 'buildings', label: '楼栋', value: totals.buildings || 0 },
      { key: 'units', label: '单元', value: totals.units || 0 },
      { key: 'households', label: '房屋（户）', value: totals.households || 0 },
      { key: 'vacant', label: '空置（户）', value: totals.vacant || 0 },
      { key: 'bound', label: '已绑定住户（户）', value: totals.bound || 0 },
    ],
    buildings: (overview.buildings || []).map((b) => ({
      id: b.id,
      name: b.name,
      line: `${b.households} 户，空置 ${b.vacant} 户，已绑定 ${b.bound} 户`,
      gaps: b.units_without_liaison ? `${b.units_without_liaison} 个单元暂无联络人` : '',
      units: (b.units || []).map((u) => ({
        id: u.id,
        name: `${u.number}单元`,
        line: `${u.households} 户 · 空置 ${u.vacant} · 已绑定 ${u.bound}`,
        noLiaison: !u.liaisons,
      })),
    })),
    lastImport: last
      ? `上次导入：${formatShortTime(last.created_at)}，${last.by}，共 ${last.rows} 行` +
        `（新增 ${((last.counts || {}).households || {}).create || 0} 户，更新 ${((last.counts || {}).households || {}).update || 0} 户）`
      : '还没有导入过房屋名册',
    empty: !(overview.buildings || []).length,
  }
}

module.exports = { reportView, resultText, overviewView, problemText, changeText, LIST_MAX }
