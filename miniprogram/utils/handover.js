// What the 工作交接 page shows: the units one may hand over, the preview of what
// would move, and the result.
const { roleLabel } = require('./labels')

// Units the caller may hand over: every unit of a compound they are on the
// committee of (from GET /compounds/{code}), else their own liaison units.
// [{key, compound, unit: "1-2", label: "1号楼2单元"}]
function unitLabel(path) {
  const [building, unit] = String(path).split('-')
  return `${building}号楼${unit}单元`
}

function committeeUnits(compound) {
  const units = []
  for (const building of compound.buildings || []) {
    for (const unit of building.units || []) {
      const path = `${building.number}-${unit.number}`
      units.push({ key: `${compound.code}:${path}`, compound: compound.code, unit: path, label: unitLabel(path) })
    }
  }
  return units
}

function liaisonUnits(user) {
  return (user.roles || [])
    .filter((role) => role.role === 'liaison' && role.compound)
    .map((role) => ({
      key: `${role.compound}:${role.label}`,
      compound: role.compound,
      compoundName: role.compound_name || role.compound,
      unit: role.label,
      label: unitLabel(role.label),
    }))
}

// "在办事项 2 件，待上门回访 1 次"
const loadLine = (issues, visits) => `在办事项 ${issues} 件，待上门回访 ${visits} 次`

// "住户 1-2-301、单元联络人 1-1"
function rolesText(roles) {
  return (roles || []).map((r) => [roleLabel(r.role), r.label].filter(Boolean).join(' ')).join('、')
}

// GET .../handovers/preview as the page shows it. `fromId`: who steps down
// (the only liaison, or the caller when they hand over their own unit).
function previewView(body, { meId, committee }) {
  const liaisons = (body.liaisons || []).map((l) => ({
    userId: l.user_id,
    name: l.name,
    line: loadLine(l.issues, l.return_visits),
  }))
  let fromId = null
  if (!committee) fromId = meId
  else if (liaisons.length === 1) fromId = liaisons[0].userId
  return {
    unit: body.unit,
    unitLabel: body.unit_label,
    liaisons,
    fromId,
    unitLine: `待审核绑定 ${body.binding_requests} 条，未缴费 ${body.unpaid_households} 户（跟着联络人身份一起交给接任的人）`,
    candidates: (body.candidates || []).map((c) => ({
      userId: c.user_id,
      name: c.name,
      roles: rolesText(c.roles),
    })),
  }
}

// The candidates one may pick: everyone but the person stepping down.
const candidatesFor = (preview, fromId) => preview.candidates.filter((c) => c.userId !== fromId)

function confirmText(unitLabelText) {
  return `交接后原联络人将不再负责${unitLabelText}，确定？`
}

// The POST's answer: what moved, in plain words.
function resultView(record) {
  return {
    headline: `${record.unit_label}的联络人已由${record.from_name || '原联络人'}交给${record.to_name}`,
    lines: [
      `在办事项 ${record.issues.length} 件已转给${record.to_name}`,
      `待上门回访 ${record.return_visits.length} 次已转给${record.to_name}`,
      `待审核绑定 ${record.binding_requests} 条、未缴费 ${record.unpaid_households} 户由${record.to_name}接着跟进`,
    ],
  }
}

module.exports = {
  unitLabel,
  committeeUnits,
  liaisonUnits,
  previewView,
  candidatesFor,
  confirmText,
  resultView,
}
