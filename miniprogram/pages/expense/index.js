// One expense (every member of its compound): amount, purpose, payee, fund,
// receipts to tap and enlarge, who acted and the whole history. Below, the
// buttons of what I may do now (`actions` from the server): 审核通过 / 提出异议
// (the finance supervisor), 确认大额支出 (a second committee member), 登记付款
// (date and method), 修改, 撤回, 冲正退回 (with a reason). Each asks first.
const { ensureLogin } = require('../../api/auth')
const { getExpense, expenseAction } = require('../../api/spending')
const { photoFile } = require('../../api/uploads')
const { previewPhotos } = require('../../services/photos')
const { expenseView } = require('../../utils/spending')
const { optionsFor } = require('../../utils/labels')
const { todayInShanghai } = require('../../utils/format')
const { errorMessage } = require('../../utils/errors')
const { showModal, confirmOnce } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

// What each one-tap step asks before it is taken.
const QUESTIONS = {
  approve: ['审核通过', '通过后，业委会可以按这个金额付款。'],
  confirm: ['确认大额支出', '您确认同意这笔大额支出（代替业主表决，按小区规则）。'],
  withdraw: ['撤回支出', '撤回后这笔支出不再办理，要花钱须重新提出。'],
}
const DONE = {
  approve: '已审核通过',
  confirm: '已确认',
  withdraw: '已撤回',
  object: '已提出异议',
  reverse: '已冲正',
  pay: '已登记付款',
}
const REASONS = {
  object: { title: '异议理由', hint: '业委会会看到这条理由；这笔支出暂停，直到修改或撤回。', confirmText: '提出异议' },
  reverse: { title: '冲正原因', hint: '钱会退回原资金，冲正记录大家都能看到，不能撤销。', confirmText: '确定冲正' },
}

Page(
  loadable({
    data: {
      expense: null,
      receiptPaths: [],
      proofPaths: [],
      busy: false,
      // The reason dialog: 'object' | 'reverse' | ''.
      asking: '',
      askTitle: '',
      askHint: '',
      askConfirm: '',
      // 登记付款: the form under the buttons.
      paying: false,
      payDate: '',
      today: '',
      methods: [],
      methodIndex: 0,
    },

    onLoad(options) {
      this.id = Number((options && options.id) || 0)
      this.photoPaths = {}
    },

    onShow() {
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      const expense = expenseView(await getExpense(this.id))
      return { expense }
    },

    // The receipts and the payment's proof need the bearer header: downloaded
    // one by one after the expense is shown.
    async onLoaded() {
      const { receipts, proofs } = this.data.expense
      for (const id of receipts.concat(proofs)) {
        if (id in this.photoPaths) continue
        try {
          this.photoPaths[id] = await photoFile(id)
        } catch (err) {
          this.photoPaths[id] = ''
        }
      }
      this.setData({
        receiptPaths: receipts.map((id) => this.photoPaths[id] || ''),
        proofPaths: proofs.map((id) => this.photoPaths[id] || ''),
      })
    },

    preview(e) {
      const { path, set } = e.currentTarget.dataset
      previewPhotos(set === 'proof' ? this.data.proofPaths : this.data.receiptPaths, path)
    },

    onAction(e) {
      const action = e.currentTarget.dataset.action
      if (this.data.busy) return undefined
      if (action === 'change') {
        wx.navigateTo({ url: `/pages/expense-new/index?id=${this.id}` })
        return undefined
      }
      if (REASONS[action]) {
        const words = REASONS[action]
        this.setData({ asking: action, askTitle: words.title, askHint: words.hint, askConfirm: words.confirmText })
        return undefined
      }
      if (action === 'pay') {
        const today = todayInShanghai()
        this.setData({ paying: true, payDate: today, today, methods: optionsFor('pay_method'), methodIndex: 0 })
        return undefined
      }
      return this.askAndTake(action)
    },

    async askAndTake(action) {
      const [title, content] = QUESTIONS[action]
      const { purpose, amount } = this.data.expense
      if (!(await confirmOnce(this, title, `${purpose}，¥${amount}。${content}`))) return
      await this.take(action, {})
    },

    async take(action, body) {
      this.setData({ busy: true })
      try {
        const expense = expenseView(await expenseAction(this.id, action, body))
        this.setData({ expense, paying: false })
        wx.showToast({ title: DONE[action], icon: 'success' })
      } catch (err) {
        await showModal({ title: '未能办理', content: errorMessage(err), showCancel: false, confirmText: '知道了' })
        await this.refresh()
      }
      this.setData({ busy: false })
    },

    onReasonCancel() {
      this.setData({ asking: '' })
    },

    async onReason(e) {
      const action = this.data.asking
      this.setData({ asking: '' })
      if (action) await this.take(action, { reason: e.detail.reason })
    },

    onPayDate(e) {
      this.setData({ payDate: e.detail.value })
    },

    onPayMethod(e) {
      this.setData({ methodIndex: Number(e.detail.value) })
    },

    cancelPay() {
      this.setData({ paying: false })
    },

    async submitPay() {
      const method = this.data.methods[this.data.methodIndex]
      if (!method || this.data.busy) return
      const { purpose, amount, payee } = this.data.expense
      const question = `${purpose}：${method.label}付给${payee} ¥${amount}（${this.data.payDate}）。登记后从资金中扣除，不能修改，只能冲正。`
      if (!(await confirmOnce(this, '登记付款', question, { confirmText: '确认付款' }))) return
      await this.take('pay', { paid_on: this.data.payDate, method: method.value })
    },
  })
)
