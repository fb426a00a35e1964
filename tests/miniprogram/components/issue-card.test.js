/**
 * @jest-environment jsdom
 */
const path = require('path')
const simulate = require('miniprogram-simulate')
const { ROOT } = require('../helpers/wx')

const id = simulate.load(path.join(ROOT, 'components/issue-card/index'), 'issue-card', { rootPath: ROOT })

const ITEM = {
  id: 3,
  title: '楼道灯不亮',
  status: 'accepted',
  statusLabel: '处理中',
  categoryLabel: '报修',
  location: '1号楼2单元',
  createdAt: '12月1日 15:01',
  overdue: true,
  photoCount: 2,
  latest: '受理：明天来修',
}

function render(item) {
  const card = simulate.render(id, { item })
  card.attach(document.createElement('parent-wrapper'))
  return card
}

const text = (card, selector) => {
  const node = card.querySelector(selector)
  return node ? node.dom.textContent.trim() : null
}

test('shows title, status, category, place, time, latest step and badges', () => {
  const card = render(ITEM)
  expect(text(card, '.title')).toBe('楼道灯不亮')
  expect(card.dom.textContent).toContain('处理中')
  expect(text(card, '.meta')).toBe('报修 · 1号楼2单元 · 12月1日 15:01')
  expect(text(card, '.latest')).toBe('受理：明天来修')
  expect(text(card, '.overdue')).toBe('已超时')
  expect(text(card, '.photos')).toBe('照片 2 张')
})

test('no badges and no latest line when there is nothing to say', () => {
  const card = render(Object.assign({}, ITEM, { overdue: false, photoCount: 0, latest: '' }))
  expect(text(card, '.overdue')).toBeNull()
  expect(text(card, '.photos')).toBeNull()
  expect(text(card, '.latest')).toBeNull()
})
