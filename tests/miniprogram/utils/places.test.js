/**
 * @jest-environment node
 */
const path = require('path')
const { ROOT } = require('../helpers/wx')
const { role, HOUSEHOLD, RESIDENT_ROLE, COMPOUND } = require('../helpers/fixtures')

const { placeOptions, structureCompounds, handledUnits } = require(path.join(ROOT, 'utils/places.js'))

const labels = (options) => options.map((o) => o.label)

test('a resident: my home, my unit (found in the compound structure), the common area', () => {
  const options = placeOptions({ roles: [RESIDENT_ROLE], households: [HOUSEHOLD] }, { yangguang: COMPOUND })
  expect(options).toEqual([
    { key: 'household-11', label: '我家 1-2-301', body: { household_id: 11 } },
    { key: 'unit-5', label: '本单元 1号楼2单元', body: { unit_id: 5 } },
    { key: 'compound-yangguang', label: '小区公共区域', body: { compound: 'yangguang' } },
  ])
})

test('handlers add the units and buildings they look after, once each', () => {
  const user = {
    households: [HOUSEHOLD],
    roles: [
      RESIDENT_ROLE,
      role('liaison', 'unit', 5, '1-2'), // my own unit: already offered
      role('liaison', 'unit', 7, '1-3'),
      role('building_lead', 'building', 2, '1'),
    ],
  }
  expect(labels(placeOptions(user, { yangguang: COMPOUND }))).toEqual([
    '我家 1-2-301',
    '本单元 1号楼2单元',
    '1号楼3单元（我负责）',
    '1号楼（我负责）',
    '小区公共区域',
  ])
})

test('several compounds are told apart', () => {
  const other = Object.assign({}, HOUSEHOLD, {
    id: 12,
    compound: 'hexie',
    compound_name: '和谐家园',
    label: '3-1-502',
  })
  const options = placeOptions({ roles: [], households: [HOUSEHOLD, other] })
  expect(labels(options)).toEqual([
    '阳光小区 我家 1-2-301',
    '和谐家园 我家 3-1-502',
    '阳光小区 小区公共区域',
    '和谐家园 小区公共区域',
  ])
})

test('nobody bound: nowhere to report about', () => {
  expect(placeOptions({ roles: [], households: [] })).toEqual([])
})

const OTHER_COMPOUND = {
  code: 'hexie',
  name: '和谐家园',
  buildings: [{ number: 3, name: null, units: [{ id: 30, number: 1 }] }],
}
const hexie = (r) => Object.assign(r, { compound: 'hexie', compound_name: '和谐家园' })

test('units to file for a neighbour: liaison units first, then the building lead\'s, each once', () => {
  const user = {
    households: [HOUSEHOLD],
    roles: [
      RESIDENT_ROLE,
      role('building_lead', 'building', 2, '1'),
      role('liaison', 'unit', 7, '1-3'),
    ],
  }
  expect(structureCompounds(user)).toEqual(['yangguang'])
  expect(handledUnits(user, { yangguang: COMPOUND })).toEqual([
    { id: 7, label: '1号楼3单元' },
    { id: 4, label: '1号楼1单元' },
    { id: 5, label: '1号楼2单元' },
  ])
  // Without the structure only the liaison's unit is known.
  expect(handledUnits(user, {})).toEqual([{ id: 7, label: '1号楼3单元' }])
})

test('the committee gets every unit of its compound; several compounds are told apart', () => {
  const user = {
    households: [],
    roles: [role('liaison', 'unit', 5, '1-2'), hexie(role('committee', 'compound', 9, '和谐家园'))],
  }
  expect(structureCompounds(user)).toEqual(['hexie'])
  expect(handledUnits(user, { hexie: OTHER_COMPOUND })).toEqual([
    { id: 5, label: '阳光小区 1号楼2单元' },
    { id: 30, label: '和谐家园 3号楼1单元' },
  ])
})

test('residents handle no units', () => {
  expect(handledUnits({ roles: [RESIDENT_ROLE], households: [HOUSEHOLD] }, { yangguang: COMPOUND })).toEqual([])
})
