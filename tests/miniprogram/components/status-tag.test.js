/**
 * @jest-environment jsdom
 */
const path = require('path')
const simulate = require('miniprogram-simulate')
const { ROOT } = require('../helpers/wx')

// Load once per file: a second load() of the same path renders nothing.
const id = simulate.load(path.join(ROOT, 'components/status-tag/index'), 'status-tag', {
  rootPath: ROOT,
})

function render(status, extra = {}) {
  const tag = simulate.render(id, Object.assign({ status }, extra))
  tag.attach(document.createElement('parent-wrapper'))
  return tag.querySelector('.tag')
}

test.each([
  ['pending', '待审核', 'tag--warning'],
  ['approved', '已通过', 'tag--success'],
  ['rejected', '已拒绝', 'tag--danger'],
  ['cancelled', '已撤回', 'tag--muted'],
  ['expired', '已过期', 'tag--muted'],
])('%s shows %s', (status, text, tone) => {
  const tag = render(status)
  expect(tag.dom.textContent).toBe(text)
  expect(tag.dom.className).toContain(tone)
})

test('follows a status change', async () => {
  const tag = simulate.render(id, { status: 'pending' })
  tag.attach(document.createElement('parent-wrapper'))
  tag.setData({ status: 'approved' })
  await simulate.sleep(0)
  expect(tag.querySelector('.tag').dom.textContent).toBe('已通过')
})

describe('issue statuses (kind="issue")', () => {
  test.each([
    ['submitted', '待受理', 'tag--warning'],
    ['accepted', '处理中', 'tag--primary'],
    ['referred', '已转办', 'tag--primary'],
    ['resolved', '已解决', 'tag--success'],
    ['closed', '已完成', 'tag--success'],
    ['rejected', '不予受理', 'tag--danger'],
    ['duplicate', '重复事项', 'tag--muted'],
  ])('%s shows %s', (status, text, tone) => {
    const tag = render(status, { kind: 'issue' })
    expect(tag.dom.textContent).toBe(text)
    expect(tag.dom.className).toContain(tone)
  })

  test("the server's label wins over ours", () => {
    expect(render('accepted', { kind: 'issue', label: '办理中' }).dom.textContent).toBe('办理中')
  })
})

describe('payment statuses (kind="payment")', () => {
  test.each([
    ['pending', '待支付', 'tag--warning'],
    ['paid', '已支付', 'tag--success'],
    ['closed', '已关闭', 'tag--muted'],
    // WeChat Pay took another amount: a warning, not the grey of an unknown status.
    ['disputed', '金额异常', 'tag--warning'],
  ])('%s shows %s', (status, text, tone) => {
    const tag = render(status, { kind: 'payment' })
    expect(tag.dom.textContent).toBe(text)
    expect(tag.dom.className).toContain(tone)
  })
})
