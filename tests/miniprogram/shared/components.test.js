/**
 * @jest-environment jsdom
 *
 * The shared components, rendered: the error card and its 重试, the empty
 * state, the reject-with-reason dialog, the privacy consent popup.
 */
const path = require('path')
const simulate = require('miniprogram-simulate')
const { ROOT, installWx } = require('../helpers/wx')
const { attr } = require('../helpers/render')

const load = (name) => simulate.load(path.join(ROOT, 'components', name, 'index'), name, { rootPath: ROOT })

const ERROR_CARD = load('error-card')
const EMPTY_STATE = load('empty-state')
const REJECT_DIALOG = load('reject-dialog')
const PRIVACY_POPUP = load('privacy-popup')

let wx

beforeEach(() => {
  ;({ wx } = installWx())
})

function render(id, props) {
  const component = simulate.render(id, props)
  component.attach(document.createElement('parent-wrapper'))
  return component
}

const text = (component, selector) => {
  const node = component.querySelector(selector)
  return node ? node.dom.textContent.trim() : undefined
}

// The events a component fired, by name: [[name, detail], ...].
function events(component, names) {
  const fired = []
  for (const name of names) component.addEventListener(name, (e) => fired.push([name, e.detail]))
  return fired
}

describe('error-card', () => {
  test('says why in plain words, with a full-size 重试 that fires retry', async () => {
    const card = render(ERROR_CARD, { message: '网络不给力，请稍后再试' })
    expect(text(card, '.error-card-text')).toBe('网络不给力，请稍后再试')
    const button = card.querySelector('.retry')
    expect(button.dom.textContent.trim()).toBe('重试')
    expect(attr(button, 'aria-label')).toBe('重试，再加载一次')
    const fired = events(card, ['retry'])
    button.dispatchEvent('tap')
    await simulate.sleep(0)
    expect(fired.map(([name]) => name)).toEqual(['retry'])
  })

  test('without a message it still says something', () => {
    const card = render(ERROR_CARD, {})
    expect(text(card, '.error-card-text')).toBe('没有加载出来，请稍后再试')
  })
})

describe('empty-state', () => {
  test('a sentence, a one-line explanation and the next step', async () => {
    const empty = render(EMPTY_STATE, { text: '还没有报过事', hint: '报事就是向小区反映问题', actionText: '我要报事' })
    expect(text(empty, '.empty-state-text')).toBe('还没有报过事')
    expect(text(empty, '.empty-state-hint')).toBe('报事就是向小区反映问题')
    const fired = events(empty, ['action'])
    empty.querySelector('.empty-state-action').dispatchEvent('tap')
    await simulate.sleep(0)
    expect(fired.map(([name]) => name)).toEqual(['action'])
  })

  test('no hint and no button unless given', () => {
    const empty = render(EMPTY_STATE, { text: '还没有消息' })
    expect(empty.querySelector('.empty-state-hint')).toBeUndefined()
    expect(empty.querySelector('.empty-state-action')).toBeUndefined()
  })
})

describe('reject-dialog', () => {
  async function open(props = {}) {
    const dialog = render(REJECT_DIALOG, Object.assign({ title: '驳回理由', hint: '登记人会看到这条理由', confirmText: '确定驳回' }, props))
    dialog.setData({ show: true })
    await simulate.sleep(0)
    return dialog
  }

  const type = async (dialog, value) => {
    dialog.querySelector('.dialog-input').dispatchEvent('input', { detail: { value } })
    await simulate.sleep(0)
  }

  test('is hidden until shown', () => {
    const dialog = render(REJECT_DIALOG, {})
    expect(dialog.querySelector('.dialog')).toBeUndefined()
  })

  test('an empty reason is refused in place, nothing is sent', async () => {
    const dialog = await open({ emptyMessage: '请填写驳回理由' })
    expect(text(dialog, '.dialog-title')).toBe('驳回理由')
    expect(text(dialog, '.dialog-hint')).toBe('登记人会看到这条理由')
    const fired = events(dialog, ['confirm', 'cancel'])
    await type(dialog, '   ')
    dialog.querySelector('.dialog-confirm').dispatchEvent('tap')
    await simulate.sleep(0)
    expect(text(dialog, '.dialog-error')).toBe('请填写驳回理由')
    expect(fired).toEqual([])
  })

  test('a reason is trimmed and sent with confirm; the count follows the typing', async () => {
    const dialog = await open()
    const fired = events(dialog, ['confirm'])
    await type(dialog, ' 金额不对 ')
    expect(text(dialog, '.dialog-count')).toBe('6/200')
    dialog.querySelector('.dialog-confirm').dispatchEvent('tap')
    await simulate.sleep(0)
    expect(fired).toEqual([['confirm', { reason: '金额不对' }]])
  })

  test('over 200 characters is refused', async () => {
    const dialog = await open()
    await type(dialog, '长'.repeat(201))
    dialog.querySelector('.dialog-confirm').dispatchEvent('tap')
    await simulate.sleep(0)
    expect(text(dialog, '.dialog-error')).toBe('最多 200 个字')
  })

  test('取消 fires cancel; opening again starts with an empty box', async () => {
    const dialog = await open()
    const fired = events(dialog, ['cancel'])
    await type(dialog, '金额不对')
    dialog.querySelector('.dialog-cancel').dispatchEvent('tap')
    await simulate.sleep(0)
    expect(fired.map(([name]) => name)).toEqual(['cancel'])
    dialog.setData({ show: false })
    dialog.setData({ show: true })
    await simulate.sleep(0)
    expect(dialog.data.reason).toBe('')
    expect(text(dialog, '.dialog-count')).toBe('0/200')
  })
})

describe('privacy-popup', () => {
  // app.js installs the handler; the popup on the shown page answers it.
  function needConsent(referrer = 'chooseMedia') {
    const resolve = jest.fn()
    const [handler] = wx.onNeedPrivacyAuthorization.mock.calls[0]
    handler(resolve, { referrer })
    return resolve
  }

  let privacy
  beforeEach(() => {
    privacy = require(path.join(ROOT, 'utils/privacy.js'))
    privacy.install()
  })

  test('explains in plain words; 同意 is WeChat\'s agree button and answers agree', async () => {
    const popup = render(PRIVACY_POPUP, {})
    expect(popup.querySelector('.privacy')).toBeUndefined()
    const resolve = needConsent()
    await simulate.sleep(0)
    expect(text(popup, '.privacy-text')).toMatch(/相机和相册/)
    const agree = popup.querySelector('.privacy-agree')
    expect(attr(agree, 'open-type')).toBe('agreePrivacyAuthorization')
    agree.dispatchEvent('agreeprivacyauthorization')
    await simulate.sleep(0)
    expect(resolve).toHaveBeenCalledWith({ buttonId: 'privacy-agree', event: 'agree' })
    expect(attr(agree, 'id')).toBe('privacy-agree')
    expect(popup.querySelector('.privacy')).toBeUndefined()
    popup.detach()
  })

  test('a file picked from a chat (导入房屋名册) is explained as a file, not as photos', async () => {
    const popup = render(PRIVACY_POPUP, {})
    needConsent('chooseMessageFile')
    await simulate.sleep(0)
    expect(text(popup, '.privacy-text')).toMatch(/聊天里选中的文件/)
    expect(text(popup, '.privacy-text')).not.toMatch(/相机|相册|照片/)
    popup.querySelector('.privacy-disagree').dispatchEvent('tap')
    await simulate.sleep(0)
    popup.detach()
  })

  test('不同意 answers disagree; the guide opens from its link', async () => {
    const popup = render(PRIVACY_POPUP, {})
    const resolve = needConsent()
    await simulate.sleep(0)
    popup.querySelector('.privacy-link').dispatchEvent('tap')
    await simulate.sleep(0)
    expect(wx.openPrivacyContract).toHaveBeenCalled()
    popup.querySelector('.privacy-disagree').dispatchEvent('tap')
    await simulate.sleep(0)
    expect(resolve).toHaveBeenCalledWith({ event: 'disagree' })
    popup.detach()
  })

  test('with no popup on the page, a modal says why and the request is refused', async () => {
    const resolve = needConsent()
    expect(resolve).toHaveBeenCalledWith({ event: 'disagree' })
    expect(wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '需要您同意隐私保护指引' }))
  })
})
