// 公共收益 (committee and finance supervisor): the compound's assets, the
// contracts that let them (what is due next, what is overdue, in plain words),
// and income received. One committee member records income (登记收入); it counts
// — goes into the co-construction fund — only when another member confirms it
// here (确认) or turns it down with a reason (驳回). The committee also adds
// contracts (新增合同) and assets (新增资产) and ends a contract early.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const {
  listAssets,
  createAsset,
  updateAsset,
  listContracts,
  createContract,
  endContract,
  listIncome,
  recordIncome,
  confirmIncome,
  rejectIncome,
} = require('../../api/income')
const { addPhotos, confirmRemovePhoto, retryPhoto, uploadedIds, photoProblem } = require('../../services/photos')
const { assetView, contractView, incomeView, incomeBody, contractBody, assetBody } = require('../../utils/income')
const { roleCompounds } = require('../../utils/user')
const { FINANCE_ROLES, optionsFor } = require('../../utils/labels')
const { todayInShanghai } = require('../../utils/format')
const { errorMessage, fieldErrors } = require('../../utils/errors')
const { showModal, confirmOnce } = require('../../utils/ui')
const { formatYuan } = require('../../utils/money')
const { loadable } = require('../../utils/page')

const FINANCE_ONLY = '只有业委会成员和财务监督可以查看公共收益。'
const RECENT = 10 // decided records shown under the waiting ones

// The reason dialog, by what it is open for.
const DIALOGS = {
  income: {
    title: '驳回理由',
    hint: '登记人会看到这条理由；驳回后这笔钱不计入共建基金。',
    placeholder: '例如：金额与收据不符',
    confirmText: '确定驳回',
  },
  contract: {
    title: '终止合同的原因',
    hint: '未到期、未收款的各期将取消；已收和已逾期的保留。原因会写在合同上。',
    placeholder: '例如：对方停业，双方同意解约',
    confirmText: '确定终止',
  },
}

// Every field of the three forms, emptied when a form opens.
const EMPTY_FORMS = {
  errors: {},
  inKindIndex: 0,
  inAmount: '',
  inReceivedOn: '',
  inMethodIndex: 0,
  inContractIndex: 0,
  inPayer: '',
  inNote: '',
  receiptPhotos: [],
  ctAssetIndex: 0,
  ctCounterparty: '',
  ctKindIndex: 0,
  ctPrice: '',
  ctCycleIndex: 0,
  ctStartOn: '',
  ctEndOn: '',
  ctNote: '',
  scanPhotos: [],
  asKindIndex: 0,
  asName: '',
  asLocation: '',
  asNote: '',
  assetPhotos: [],
}

const FORM_FIELDS = {
  income: ['kind', 'amount_fen', 'received_on', 'method', 'payer', 'note', 'receipt'],
  contract: ['counterparty', 'kind', 'price_fen', 'cycle', 'start_on', 'end_on', 'note', 'scan'],
  asset: ['kind', 'name', 'location', 'note', 'photos'],
}

Page(
  loadable({
    data: Object.assign(
      {
        denied: '',
        compounds: [],
        compoundIndex: 0,
        canEdit: false, // a committee member of the compound shown
        assets: [],
        contracts: [],
        pending: [],
        recent: [],
        busyId: 0,
        dialog: null, // {kind: 'income' | 'contract', id, title, hint, placeholder, confirmText}
        form: '', // '', 'income', 'contract' or 'asset'
        submitting: false,
        today: '',
        incomeKinds: [],
        methods: [],
        cycles: [],
        assetKinds: [],
        contractOptions: [], // 登记收入's contract picker: 不关联合同 first
        assetOptions: [], // 新增合同's asset picker: 不关联资产 first
      },
      EMPTY_FORMS
    ),

    onLoad() {
      this.setData({
        today: todayInShanghai(),
        incomeKinds: optionsFor('income_kind'),
        methods: optionsFor('pay_method'),
        cycles: optionsFor('contract_cycle'),
        assetKinds: optionsFor('asset_kind'),
      })
    },

    onShow() {
      return this.data.form ? Promise.resolve() : this.load()
    },

    async fetch() {
      await ensureLogin()
      let compounds = this.data.compounds
      let committee = this.committee || []
      if (!compounds.length) {
        const me = await getMe()
        compounds = roleCompounds(me, FINANCE_ROLES)
        committee = roleCompounds(me, ['committee']).map((c) => c.code)
        this.committee = committee
        if (!compounds.length) return { denied: FINANCE_ONLY }
      }
      const code = compounds[this.data.compoundIndex].code
      const [assets, contracts, income] = await Promise.all([
        listAssets(code),
        listContracts(code),
        listIncome(code),
      ])
      const records = income.items.map(incomeView)
      const contractViews = contracts.items.map(contractView)
      const assetViews = assets.items.map(assetView)
      return {
        denied: '',
        compounds,
        canEdit: committee.includes(code),
        assets: assetViews,
        contracts: contractViews,
        pending: records.filter((r) => r.status === 'pending'),
        recent: records.filter((r) => r.status !== 'pending').slice(0, RECENT),
        contractOptions: [{ id: 0, label: '不关联合同' }].concat(
          contractViews.filter((c) => !c.ended).map((c) => ({ id: c.id, label: c.counterparty }))
        ),
        assetOptions: [{ id: 0, label: '不关联资产' }].concat(
          assetViews.filter((a) => a.active).map((a) => ({ id: a.id, label: a.name }))
        ),
      }
    },

    onCompoundChange(e) {
      this.setData({ compoundIndex: Number(e.detail.value), loaded: false, form: '' })
      return this.load()
    },

    code() {
      return this.data.compounds[this.data.compoundIndex].code
    },

    // ----- the forms -----

    openForm(e) {
      const form = e.currentTarget.dataset.form
      this.setData(Object.assign({}, EMPTY_FORMS, { form, inReceivedOn: this.data.today }))
    },

    closeForm() {
      if (this.data.submitting) return
      this.setData(Object.assign({}, EMPTY_FORMS, { form: '' }))
    },

    onInput(e) {
      this.setData({ [e.currentTarget.dataset.field]: e.detail.value })
    },

    onPick(e) {
      this.setData({ [e.currentTarget.dataset.field]: Number(e.detail.value) })
    },

    onDate(e) {
      this.setData({ [e.currentTarget.dataset.field]: e.detail.value })
    },

    addPhoto(e) {
      const key = e.currentTarget.dataset.key
      return addPhotos(this, key, key === 'receiptPhotos' ? 1 : 9)
    },

    removePhoto(e) {
      const { key, photo } = e.currentTarget.dataset
      return confirmRemovePhoto(this, key, photo, '删除这张照片？', '表单')
    },

    retryPhoto(e) {
      const { key, photo } = e.currentTarget.dataset
      return retryPhoto(this, key, photo)
    },

    incomeForm() {
      const d = this.data
      const contract = d.contractOptions[d.inContractIndex] || { id: 0 }
      return {
        kind: (d.incomeKinds[d.inKindIndex] || {}).value,
        amount: d.inAmount,
        receivedOn: d.inReceivedOn,
        method: (d.methods[d.inMethodIndex] || {}).value,
        contractId: contract.id,
        payer: d.inPayer,
        note: d.inNote,
        receipt: uploadedIds(d.receiptPhotos)[0] || null,
      }
    },

    // 登记收入: checked, asked, sent; another committee member confirms it later.
    async submitIncome() {
      const d = this.data
      const { errors, body } = incomeBody(this.incomeForm(), d.today)
      const photo = photoProblem(d.receiptPhotos)
      if (photo) errors.receipt = photo
      if (Object.keys(errors).length) return this.setData({ errors })
      const kind = d.incomeKinds[d.inKindIndex].label
      const from = d.inContractIndex ? `，${d.contractOptions[d.inContractIndex].label}` : ''
      const question = `${kind} ¥${formatYuan(body.amount_fen)}${from}（${body.received_on}）。登记后须由另一位业委会成员确认，确认后才计入共建基金。`
      if (!(await confirmOnce(this, '登记收入', question, { confirmText: '登记', cancelText: '再看看' }))) return
      await this.send('income', () => recordIncome(this.code(), body), '已登记')
    },

    // 新增合同: the schedule is made from it, so it is asked first.
    async submitContract() {
      const d = this.data
      const asset = d.assetOptions[d.ctAssetIndex] || { id: 0 }
      const { errors, body } = contractBody({
        assetId: asset.id,
        counterparty: d.ctCounterparty,
        kind: (d.incomeKinds[d.ctKindIndex] || {}).value,
        price: d.ctPrice,
        cycle: (d.cycles[d.ctCycleIndex] || {}).value,
        startOn: d.ctStartOn,
        endOn: d.ctEndOn,
        note: d.ctNote,
        scan: uploadedIds(d.scanPhotos),
      })
      const photo = photoProblem(d.scanPhotos)
      if (photo) errors.scan = photo
      if (Object.keys(errors).length) return this.setData({ errors })
      const question = `${body.counterparty}：${d.cycles[d.ctCycleIndex].label} ¥${formatYuan(body.price_fen)}，${body.start_on} 至 ${body.end_on}。保存后按周期生成每一期应收款。`
      if (!(await confirmOnce(this, '新增合同', question, { confirmText: '保存', cancelText: '再看看' }))) return
      await this.send('contract', () => createContract(this.code(), body), '已保存')
    },

    async submitAsset() {
      const d = this.data
      const { errors, body } = assetBody({
        kind: (d.assetKinds[d.asKindIndex] || {}).value,
        name: d.asName,
        location: d.asLocation,
        note: d.asNote,
        photos: uploadedIds(d.assetPhotos),
      })
      const photo = photoProblem(d.assetPhotos)
      if (photo) errors.photos = photo
      if (Object.keys(errors).length) return this.setData({ errors })
      await this.send('asset', () => createAsset(this.code(), body), '已保存')
    },

    // One send at a time; field errors under their fields, anything else on top.
    async send(form, call, doneText) {
      if (this.data.submitting) return
      this.setData({ submitting: true, errors: {} })
      try {
        await call()
      } catch (err) {
        const fields = fieldErrors(err)
        const errors = {}
        Object.keys(fields).forEach((name) => (errors[FORM_FIELDS[form].includes(name) ? name : 'form'] = fields[name]))
        if (!Object.keys(errors).length) errors.form = errorMessage(err)
        this.setData({ submitting: false, errors })
        return
      }
      this.setData(Object.assign({}, EMPTY_FORMS, { submitting: false, form: '' }))
      wx.showToast({ title: doneText, icon: 'success' })
      await this.load()
    },

    // ----- deciding income, ending contracts, retiring assets -----

    findIncome(id) {
      return this.data.pending.find((item) => item.id === id)
    },

    async confirmItem(e) {
      const item = this.findIncome(Number(e.currentTarget.dataset.id))
      if (!item || item.mine || this.data.busyId) return
      const payer = item.payer ? `，${item.payer}` : ''
      const question = `${item.kindLabel} ¥${item.amount}${payer}（${item.methodLabel}，${item.receivedOn}）。确认收到后计入共建基金，不能撤回。`
      if (!(await confirmOnce(this, '确认收入', question, { confirmText: '确认收到' }))) return
      await this.decide(item.id, () => confirmIncome(item.id), '已确认')
    },

    rejectItem(e) {
      const item = this.findIncome(Number(e.currentTarget.dataset.id))
      if (item && !item.mine && !this.data.busyId) this.openDialog('income', item.id)
    },

    endItem(e) {
      const id = Number(e.currentTarget.dataset.id)
      if (!this.data.busyId) this.openDialog('contract', id)
    },

    openDialog(kind, id) {
      this.setData({ dialog: Object.assign({ kind, id }, DIALOGS[kind]) })
    },

    onDialogCancel() {
      this.setData({ dialog: null })
    },

    async onDialogConfirm(e) {
      const dialog = this.data.dialog
      this.setData({ dialog: null })
      if (!dialog) return
      const reason = e.detail.reason
      if (dialog.kind === 'income') {
        await this.decide(dialog.id, () => rejectIncome(dialog.id, reason), '已驳回')
      } else {
        await this.decide(dialog.id, () => endContract(dialog.id, reason), '已终止')
      }
    },

    async retireAsset(e) {
      const asset = this.data.assets.find((a) => a.id === Number(e.currentTarget.dataset.id))
      if (!asset || this.data.busyId) return
      const question = `停用后居民不再看到「${asset.name}」，也不能再为它签新合同。`
      if (!(await confirmOnce(this, '停用资产', question, { confirmText: '停用' }))) return
      await this.decide(asset.id, () => updateAsset(asset.id, { active: false }), '已停用')
    },

    // One act at a time; the lists are read again either way. The server's
    // refusal (the recorder confirming their own, someone else first) in a dialog.
    async decide(id, call, doneText) {
      if (this.data.busyId) return
      this.setData({ busyId: id })
      try {
        await call()
        wx.showToast({ title: doneText, icon: 'success' })
      } catch (err) {
        await showModal({ title: '未能处理', content: errorMessage(err), showCancel: false, confirmText: '知道了' })
      }
      this.setData({ busyId: 0 })
      await this.load()
    },
  })
)
