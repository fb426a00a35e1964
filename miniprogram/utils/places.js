// Where a report can be about, from GET /me (and the compounds' structures):
// [{key, label, body}] where body is what POST /issues takes for that place.
//
// Households do not carry their unit's id; it is looked up in the compound's
// structure (GET /compounds/{code}: building number + unit number → unit id).
// Building ids are only known from a building lead's role, so residents are
// offered 我家, 本单元 and 小区公共区域.
const { HANDLER_ROLES } = require('./labels')

function unique(values) {
  return values.filter((value, index) => value && values.indexOf(value) === index)
}

function unitIdOf(structure, buildingNo, unitNo) {
  const building = structure && (structure.buildings || []).find((b) => b.number === buildingNo)
  const unit = building && building.units.find((u) => u.number === unitNo)
  return unit ? unit.id : 0
}

// A role label "1-2" → "1号楼2单元".
function unitText(label) {
  const match = /^(\d+)-(\d+)$/.exec(label || '')
  return match ? `${match[1]}号楼${match[2]}单元` : label
}

function placeOptions(user, structures = {}) {
  const households = user.households || []
  const roles = (user.roles || []).filter((r) => r.compound)
  const codes = unique(households.map((h) => h.compound).concat(roles.map((r) => r.compound)))
  const names = {}
  households.concat(roles).forEach((x) => (names[x.compound] = x.compound_name))
  // Only spell out the compound when the user belongs to several.
  const prefix = (code) => (codes.length > 1 ? `${names[code]} ` : '')

  const options = []
  // Keyed by place, so my own unit that I also look after is offered once.
  const add = (key, compound, label, body) => {
    if (!options.some((o) => o.key === key)) options.push({ key, label: prefix(compound) + label, body })
  }
  for (const h of households) {
    add(`household-${h.id}`, h.compound, `我家 ${h.label}`, { household_id: h.id })
  }
  for (const h of households) {
    const unitId = unitIdOf(structures[h.compound], h.building, h.unit)
    if (unitId) add(`unit-${unitId}`, h.compound, `本单元 ${h.building}号楼${h.unit}单元`, { unit_id: unitId })
  }
  for (const r of roles.filter((role) => HANDLER_ROLES.includes(role.role))) {
    const id = r.scope_id
    if (r.scope === 'unit') add(`unit-${id}`, r.compound, `${unitText(r.label)}（我负责）`, { unit_id: id })
    if (r.scope === 'building') add(`building-${id}`, r.compound, `${r.label}号楼（我负责）`, { building_id: id })
  }
  for (const code of codes) add(`compound-${code}`, code, '小区公共区域', { compound: code })
  return options
}

// The compounds whose structure is needed to find my households' units.
const householdCompounds = (user) => unique((user.households || []).map((h) => h.compound))

// Roles whose units are only known from the compound structure.
const STRUCTURE_ROLES = ['building_lead', 'committee']

// The compounds whose structure placeOptions and handledUnits need: my
// households' and those where I am building lead or on the committee.
const structureCompounds = (user) =>
  unique(
    householdCompounds(user).concat(
      (user.roles || []).filter((r) => STRUCTURE_ROLES.includes(r.role)).map((r) => r.compound)
    )
  )

// The units whose flats I may list (GET /units/{id}/households), to file for a
// neighbour: [{id, label}]. A liaison's units come from the roles; a building
// lead's and the committee's from the compound structure, so they are missing
// when it could not be read. Liaison units first, each unit once.
function handledUnits(user, structures = {}) {
  const roles = (user.roles || []).filter((r) => r.compound && HANDLER_ROLES.includes(r.role))
  const codes = unique(roles.map((r) => r.compound))
  const names = {}
  roles.forEach((r) => (names[r.compound] = r.compound_name))
  const prefix = (code) => (codes.length > 1 ? `${names[code]} ` : '')

  const units = []
  const add = (code, id, text) => {
    if (id && !units.some((u) => u.id === id)) units.push({ id, label: prefix(code) + text })
  }
  const addBuilding = (code, building) =>
    (building.units || []).forEach((u) => add(code, u.id, `${building.number}号楼${u.number}单元`))
  const buildingsOf = (code) => (structures[code] && structures[code].buildings) || []

  for (const r of roles.filter((role) => role.role === 'liaison' && role.scope === 'unit')) {
    add(r.compound, r.scope_id, unitText(r.label))
  }
  for (const r of roles.filter((role) => role.role === 'building_lead' && role.scope === 'building')) {
    const building = buildingsOf(r.compound).find((b) => String(b.number) === r.label)
    if (building) addBuilding(r.compound, building)
  }
  for (const r of roles.filter((role) => role.role === 'committee' && role.scope === 'compound')) {
    buildingsOf(r.compound).forEach((building) => addBuilding(r.compound, building))
  }
  return units
}

module.exports = { placeOptions, householdCompounds, structureCompounds, handledUnits }
