// 小区收款商户 (the street office only): every compound with the WeChat Pay
// merchant its fees go to (name, merchant number, API version in words), and a
// picker to give it another one. A change is asked first; it touches only new
// orders, and the server logs it in the compound's audit log.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { listCompounds, setPayMerchant } = require('../../api/compound-admin')
const { isAdmin, merchantChoices, compoundRow, changeQuestion, changeDone } = require('../../utils/pay-merchants')
const { errorMessage } = require('../../utils/errors')
const { confirmOnce, showModal } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

const DENIED = '只有街道办（平台管理员）可以设置各小区的收款商户。'

Page(
  loadable({
    data: { denied: '', rows: [], choices: [], saving: '' },

    onShow() {
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      if (!isAdmin(await getMe())) return { denied: DENIED, rows: [] }
      const { items, pay_merchants: merchants } = await listCompounds()
      this.merchants = merchants
      return {
        denied: '',
        choices: merchantChoices(merchants),
        rows: items.map((item) => compoundRow(item, merchants)),
      }
    },

    isEmpty(data) {
      return !data.denied && !data.rows.length
    },

    async onPick(e) {
      const code = e.currentTarget.dataset.code
      const row = this.data.rows.find((r) => r.code === code)
      const choice = this.data.choices[Number(e.detail.value)]
      if (!row || !choice || row.archived || this.data.saving) return
      if (Number(e.detail.value) === row.choiceIndex) return
      const sure = await confirmOnce(this, '更换收款商户', changeQuestion(row.name, choice), {
        confirmText: '更换',
        cancelText: '再想想',
      })
      if (!sure) return
      this.setData({ saving: code })
      try {
        const saved = await setPayMerchant(code, choice.name)
        const fresh = compoundRow(saved, this.merchants || [])
        this.setData({ saving: '', rows: this.data.rows.map((r) => (r.code === code ? fresh : r)) })
        await showModal({ title: '已更换', content: changeDone(row.name, fresh), showCancel: false, confirmText: '知道了' })
      } catch (err) {
        this.setData({ saving: '' })
        await showModal({ title: '未能更换', content: errorMessage(err), showCancel: false, confirmText: '知道了' })
      }
    },
  })
)
