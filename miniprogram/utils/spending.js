// What the funds and expense pages show of the server's answers. Money stays in
// integer fen; yuan are text made from it (utils/money.js).
const { formatYuan } = require('./money')
const { label } = require('./labels')
const { formatTime } = require('./format')

// The buttons of an expense's `actions`, in the order they are shown.
const ACTIONS = [
  { action: 'approve', text: '审核通过', primary: true },
  { action: 'confirm', text: '确认大额支出', primary: true },
  { action: 'pay', text: '登记付款', primary: true },
  { action: 'change', text: '修改' },
  { action: 'object', text: '提出异议' },
  { action: 'withdraw', text: '撤回' },
  { action: 'reverse', text: '冲正退回' },
]

// Every compound where I hold any role (a resident too): [{code, name}], each once.
function memberCompounds(user) {
  const compounds = []
  for (const role of (user && user.roles) || []) {
    if (role.compound && !compounds.some((c) => c.code === role.compound)) {
      compounds.push({ code: role.compound, name: role.compound_name || role.compound })
    }
  }
  return compounds
}

function fundView(fund) {
  return {
    account: fund.account,
    name: fund.name,
    balance: formatYuan(fund.balance_fen),
    income: formatYuan(fund.income_fen_month),
    spent: formatYuan(fund.spent_fen_month),
  }
}

function statusText(expense) {
  if (expense.status === 'paid' && expense.reversed) return '已冲正'
  return label('expense_status', expense.status, expense.status)
}

function expenseItemView(expense) {
  return {
    id: expense.id,
    purpose: expense.purpose,
    payee: expense.payee,
    amount: formatYuan(expense.amount_fen),
    fundName: expense.fund_name,
    category: expense.category_label || label('expense_category', expense.category, ''),
    status: expense.status,
    statusText: statusText(expense),
    large: Boolean(expense.large),
    needsConfirmation: Boolean(expense.needs_confirmation),
    createdAt: formatTime(expense.created_at),
    waiting: (expense.actions || []).length > 0,
  }
}

function historyLineView(line, index) {
  return {
    key: `h${index}`,
    what: line.what || line.action,
    actor: line.actor || '',
    note: line.note || '',
    at: formatTime(line.at),
  }
}

function expenseView(expense) {
  const allowed = expense.actions || []
  return Object.assign(expenseItemView(expense), {
    amountFen: expense.amount_fen,
    fund: expense.fund,
    version: expense.version,
    objection: expense.status === 'objected' ? expense.objection || '' : '',
    proposedBy: expense.proposed_by || '',
    approvedBy: expense.approved_by || '',
    confirmedBy: expense.confirmed_by || '',
    paidBy: expense.paid_by || '',
    paidOn: expense.paid_on || '',
    payMethod: expense.pay_method ? label('pay_method', expense.pay_method, expense.pay_method) : '',
    reversed: Boolean(expense.reversed),
    reversalReason: expense.reversal_reason || '',
    receipts: expense.receipts || [],
    proofs: expense.proofs || [],
    history: (expense.history || []).map(historyLineView),
    buttons: ACTIONS.filter((a) => allowed.includes(a.action)),
  })
}

module.exports = { ACTIONS, memberCompounds, fundView, expenseItemView, expenseView }
