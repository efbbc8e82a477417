import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['**/node_modules/**', '**/dist/**', '.lab/**', 'grafana/dashboards/**'] }),
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error'
    }
  }
]
