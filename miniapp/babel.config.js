// babel-preset-taro compiles the React + TypeScript sources for both targets.
module.exports = {
  presets: [['taro', { framework: 'react', ts: true, compiler: 'webpack5' }]],
};
