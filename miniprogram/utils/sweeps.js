// What the sweeps page (排查) shows and sends: a sweep as a list line, the
// new-sweep form's checklist, scope and checks. Pure: no server calls here.
const { label } = require('./labels')
const { formatDate } = require('./format')

const TITLE_MAX = 60
// The server takes a line of 30 characters (CampaignIn.checklist: Text(30)).
const ITEM_MAX = 30
const ITEMS_MAX = 30

// Roles that see sweeps (the list); of them, the committee starts one.
const SWEEP_ROLES = ['liaison', 'building_lead', 'committee']
const SWEEP_STARTER_ROLES = ['committee']

const percentOf = (part, whole) => (whole > 0 ? Math.round((part * 100) / whole) : 0)

// {id, title, typeLabel, statusLabel, open, due, overdue, progressText, percent}.
function campaignView(campaign, today) {
  const progress = campaign.progress || { visited: 0, total: 0 }
  const open = campaign.status === 'open'
  return {
    id: campaign.id,
    title: campaign.title,
    typeLabel: label('campaign_type', campaign.type, ''),
    statusLabel: label('campaign_status', campaign.status, campaign.status),
    open,
    due: campaign.due_on ? `${formatDate(campaign.due_on)}前完成` : '',
    overdue: open && Boolean(campaign.due_on) && campaign.due_on < today && progress.visited < progress.total,
    progressText: `已走访 ${progress.visited} 户，共 ${progress.total} 户`,
    percent: percentOf(progress.visited, progress.total),
  }
}

// A template's checklist as the form's editable lines ({key, text}).
let nextKey = 0
const checklistLines = (texts) => (texts || []).map((text) => ({ key: `item-${++nextKey}`, text }))
const blankLine = () => checklistLines([''])[0]

// A compound's structure (GET /compounds/{code}) as the scope picker's boxes.
function scopeChoices(structure) {
  const buildings = []
  const units = []
  for (const b of (structure && structure.buildings) || []) {
    buildings.push({ number: b.number, label: `${b.number}号楼`, checked: false })
    for (const u of b.units || []) {
      units.push({ key: `${b.number}-${u.number}`, building: b.number, label: `${b.number}号楼${u.number}单元`, checked: false })
    }
  }
  return { buildings, units }
}

// "全小区", or "1号楼、2号楼3单元": what the confirmation names.
function scopeText(form) {
  if (form.scopeMode === 'compound') return '全小区'
  const picked = form.buildings.filter((b) => b.checked).map((b) => b.label)
  const inPicked = (u) => form.buildings.some((b) => b.checked && b.number === u.building)
  return picked.concat(form.units.filter((u) => u.checked && !inPicked(u)).map((u) => u.label)).join('、')
}

function checkChecklist(lines) {
  const texts = lines.map((line) => line.text.trim()).filter(Boolean)
  if (!texts.length) return { error: '请至少写一项要查的内容' }
  if (texts.length > ITEMS_MAX) return { error: `最多 ${ITEMS_MAX} 项` }
  if (texts.some((t) => t.length > ITEM_MAX)) return { error: `每一项最多 ${ITEM_MAX} 个字` }
  if (new Set(texts).size !== texts.length) return { error: '有两项写得一样，请删去一项' }
  return { texts }
}

// The form's data → {errors} or {body} for createCampaign().
function validateCampaign(form, today) {
  const errors = {}
  const template = form.templates[form.typeIndex]
  if (!template) errors.type = '请选择排查类型'
  const title = form.title.trim()
  if (!title) errors.title = '请填写排查名称'
  else if (title.length > TITLE_MAX) errors.title = `名称最多 ${TITLE_MAX} 个字`
  const { texts, error } = checkChecklist(form.checklist)
  if (error) errors.checklist = error
  let scope = 'compound'
  if (form.scopeMode !== 'compound') {
    const buildings = form.buildings.filter((b) => b.checked).map((b) => b.number)
    const units = form.units.filter((u) => u.checked && !buildings.includes(u.building)).map((u) => u.key)
    if (!buildings.length && !units.length) errors.scope = '请选择要排查的楼栋或单元'
    scope = { buildings, units }
  }
  if (!form.dueOn) errors.due_on = '请选择完成日期'
  else if (form.dueOn < today) errors.due_on = '完成日期不能早于今天'
  if (Object.keys(errors).length) return { errors }
  return { body: { type: template.type, title, checklist: texts, scope, dueOn: form.dueOn } }
}

module.exports = {
  SWEEP_ROLES,
  SWEEP_STARTER_ROLES,
  TITLE_MAX,
  ITEM_MAX,
  campaignView,
  checklistLines,
  blankLine,
  scopeChoices,
  scopeText,
  validateCampaign,
}
