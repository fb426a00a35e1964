// 新增支出 (committee): fund, amount in yuan (turned into fen digit by digit,
// never through a float), purpose, payee, category and receipt photos. Opened
// with ?id= it changes a proposed or objected expense: only what changed is
// sent, and the supervisor reviews it again.
const { ensureLogin } = require('../../api/auth')
const { compoundFunds, getExpense, proposeExpense, expenseAction } = require('../../api/spending')
const { addPhotos, confirmRemovePhoto, retryPhoto, uploadedIds, photoProblem, previewPhotos } = require('../../services/photos')
const { parseYuan, formatYuan } = require('../../utils/money')
const { optionsFor } = require('../../utils/labels')
const { errorMessage } = require('../../utils/errors')
const { confirmOnce } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

// Money that is spent comes from a fund; money owed back (待退款) is not one.
const spendable = (fund) => !fund.account.startsWith('suspense:')

// What the form checks before sending: {field: message}.
function problems(data) {
  const errors = {}
  if (!data.funds[data.fundIndex]) errors.fund = '请选择资金'
  const fen = parseYuan(data.amount)
  if (fen === null || fen <= 0) errors.amount = '请填写金额，如 350 或 350.50'
  else if (fen > 10000000) errors.amount = '一笔支出最多 100000 元'
  if (!data.purpose.trim()) errors.purpose = '请写明用途'
  if (!data.payee.trim()) errors.payee = '请填写收款方'
  const photo = photoProblem(data.receipts)
  if (photo) errors.receipts = photo
  return errors
}

Page(
  loadable({
    data: {
      editing: false,
      funds: [],
      fundIndex: 0,
      categories: [],
      categoryIndex: 0,
      amount: '',
      purpose: '',
      payee: '',
      note: '',
      receipts: [],
      errors: {},
      formError: '',
      sending: false,
    },

    onLoad(options) {
      this.code = (options && options.compound) || ''
      this.id = Number((options && options.id) || 0)
      this.original = null
      this.setData({ editing: Boolean(this.id) })
      if (wx.setNavigationBarTitle) wx.setNavigationBarTitle({ title: this.id ? '修改支出' : '新增支出' })
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      const categories = optionsFor('expense_category')
      if (this.id && !this.original) {
        this.original = await getExpense(this.id)
        this.code = this.original.compound
      }
      const { funds } = await compoundFunds(this.code)
      const choices = funds.filter(spendable).map((f) => ({ value: f.account, label: `${f.name}（余额 ¥${formatYuan(f.balance_fen)}）` }))
      const patch = { funds: choices, categories }
      const o = this.original
      if (o) {
        Object.assign(patch, {
          fundIndex: Math.max(0, choices.findIndex((f) => f.value === o.fund)),
          categoryIndex: Math.max(0, categories.findIndex((c) => c.value === o.category)),
          amount: formatYuan(o.amount_fen),
          purpose: o.purpose,
          payee: o.payee,
        })
      }
      return patch
    },

    onInput(e) {
      const field = e.currentTarget.dataset.field
      this.setData({ [field]: e.detail.value, errors: Object.assign({}, this.data.errors, { [field]: '' }) })
    },

    onFund(e) {
      this.setData({ fundIndex: Number(e.detail.value) })
    },

    onCategory(e) {
      this.setData({ categoryIndex: Number(e.detail.value) })
    },

    chooseReceipt() {
      return addPhotos(this, 'receipts')
    },

    removeReceipt(e) {
      return confirmRemovePhoto(this, 'receipts', e.currentTarget.dataset.key, '删除收据照片？', '支出')
    },

    retryReceipt(e) {
      return retryPhoto(this, 'receipts', e.currentTarget.dataset.key)
    },

    previewReceipt(e) {
      previewPhotos(this.data.receipts.map((p) => p.path), e.currentTarget.dataset.path)
    },

    // The body to send: everything for a new one, what changed for a change.
    body() {
      const d = this.data
      const full = {
        fund: d.funds[d.fundIndex].value,
        amount_fen: parseYuan(d.amount),
        purpose: d.purpose.trim(),
        payee: d.payee.trim(),
        category: d.categories[d.categoryIndex].value,
      }
      const receipts = uploadedIds(d.receipts)
      if (!this.original) return Object.assign(full, { receipts })
      const changed = {}
      for (const key of Object.keys(full)) if (full[key] !== this.original[key]) changed[key] = full[key]
      if (receipts.length) changed.receipts = receipts
      if (d.note.trim()) changed.note = d.note.trim()
      return changed
    },

    async submit() {
      if (this.data.sending) return
      const errors = problems(this.data)
      if (Object.keys(errors).length) {
        this.setData({ errors, formError: '请按提示修改后再提交' })
        return
      }
      const body = this.body()
      const fund = this.data.funds[this.data.fundIndex].label
      const question = `${body.purpose || this.data.purpose}：¥${formatYuan(parseYuan(this.data.amount))}，从${fund}支出。提交后由财务监督审核。`
      if (!(await confirmOnce(this, this.original ? '提交修改' : '提出支出', question, { confirmText: '提交' }))) return
      this.setData({ sending: true, formError: '' })
      try {
        const expense = this.original ? await expenseAction(this.id, 'change', body) : await proposeExpense(this.code, body)
        wx.showToast({ title: '已提交', icon: 'success' })
        wx.redirectTo({ url: `/pages/expense/index?id=${expense.id}` })
      } catch (err) {
        this.setData({ formError: errorMessage(err) })
      }
      this.setData({ sending: false })
    },
  })
)
