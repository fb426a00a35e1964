// What 住户登记表格 shows of the census import report ({dry_run, rows, added,
// updated, errors: [{row, message}]}) and of the caller's reach, in plain
// words. Pure.

// Roles that export the census: the committee (all), a building lead (the
// building), a liaison (the units). Only the committee imports.
const EXPORT_ROLES = ['committee', 'building_lead', 'liaison']
const IMPORT_ROLES = ['committee']

// Problems listed at most; the rest are counted.
const LIST_MAX = 50

// Why a sensitive export is made, to tap instead of typing (80 characters at most).
const REASONS = ['上门走访', '关爱走访', '核对登记']
const REASON_MAX = 80

// A check's (or an import's) report as the page shows it.
function importReportView(report) {
  const errors = (report && report.errors) || []
  const added = (report && report.added) || 0
  const updated = (report && report.updated) || 0
  return {
    rows: (report && report.rows) || 0,
    added,
    updated,
    counts: [
      { key: 'added', label: '新登记', value: added, unit: '人' },
      { key: 'updated', label: '更新', value: updated, unit: '人' },
      { key: 'problems', label: '问题', value: errors.length, unit: '处' },
    ],
    problems: errors.slice(0, LIST_MAX).map((e, i) => ({ key: `${e.row}-${i}`, text: `第 ${e.row} 行：${e.message}` })),
    problemsMore: errors.length > LIST_MAX ? `还有 ${errors.length - LIST_MAX} 处问题没有列出` : '',
    canImport: errors.length === 0 && added + updated > 0,
    nothingToDo: errors.length === 0 && added + updated === 0,
  }
}

// The question 确认导入 asks.
function importQuestion(view) {
  return (
    `将新登记 ${view.added} 人、更新 ${view.updated} 人。同一户里姓名相同的人会被更新，不会重复添加。` +
    '请确认表格里的住户都已同意登记。'
  )
}

function importResult(report) {
  return `已导入：新登记 ${(report && report.added) || 0} 人，更新 ${(report && report.updated) || 0} 人`
}

// Whose households my export holds, in this compound: "全小区" for the
// committee, else the buildings and units I look after ("1号楼、1-3 单元"; a
// building's role label is its number, a unit's "1-3").
function reachLine(user, code) {
  const roles = ((user && user.roles) || []).filter((r) => r.compound === code)
  if (roles.some((r) => r.role === 'committee')) return '全小区的住户'
  const parts = []
  for (const r of roles) {
    if (r.role === 'building_lead') parts.push(String(r.label || '').includes('楼') ? r.label : `${r.label}号楼`)
    if (r.role === 'liaison') parts.push(`${r.label} 单元`)
  }
  return parts.length ? `您负责的 ${parts.join('、')} 的住户` : '您负责的住户'
}

// The sensitive export's reason: '' when it will do, else what to fix.
function reasonProblem(reason) {
  const text = String(reason || '').trim()
  if (!text) return '请写明为什么要导出完整电话和关爱标记，如：上门走访'
  if (text.length > REASON_MAX) return `理由最多 ${REASON_MAX} 个字`
  return ''
}

// What the confirmation of a sensitive export says.
function sensitiveQuestion(reason) {
  return (
    `表格里会有住户的完整电话和关爱标记。这次导出会记在「查看记录」里，理由：${String(reason).trim()}。` +
    '请妥善保管，不要转发到群里。'
  )
}

module.exports = {
  EXPORT_ROLES,
  IMPORT_ROLES,
  REASONS,
  REASON_MAX,
  importReportView,
  importQuestion,
  importResult,
  reachLine,
  reasonProblem,
  sensitiveQuestion,
}
