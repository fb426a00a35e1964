// 资金 (every member of a compound, residents too): each fund's balance and this
// month's money in and out, from the ledger, in big type. A tap on 支出明细
// opens the list of every expense.
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { compoundFunds } = require('../../api/spending')
const { memberCompounds, fundView } = require('../../utils/spending')
const { loadable } = require('../../utils/page')

const NOT_A_MEMBER = '绑定房屋或担任小区的职务后，就能看到小区的资金。'

Page(
  loadable({
    data: {
      denied: '',
      compounds: [],
      compoundIndex: 0,
      funds: [],
    },

    onShow() {
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      let compounds = this.data.compounds
      if (!compounds.length) {
        compounds = memberCompounds(await getMe())
        if (!compounds.length) return { denied: NOT_A_MEMBER }
      }
      const { funds } = await compoundFunds(compounds[this.data.compoundIndex].code)
      return { denied: '', compounds, funds: funds.map(fundView) }
    },

    isEmpty(data) {
      return !data.denied && !data.funds.length
    },

    onCompoundChange(e) {
      this.setData({ compoundIndex: Number(e.detail.value), funds: [], loaded: false })
      return this.load()
    },

    goExpenses() {
      const compound = this.data.compounds[this.data.compoundIndex]
      if (compound) wx.navigateTo({ url: `/pages/expenses/index?compound=${compound.code}` })
    },
  })
)
