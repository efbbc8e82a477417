import { describe, expect, it } from 'vitest'
import { kafkaLog4j2Properties, kafkaServerProperties, newClusterId } from '../components/kafka-config.js'

function parse (properties: string): Map<string, string> {
  const entries = properties.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => {
    const at = l.indexOf('=')
    return [l.slice(0, at), l.slice(at + 1)] as [string, string]
  })
  return new Map(entries)
}

describe('kafka server.properties', () => {
  const props = parse(kafkaServerProperties({ port: 29092, controllerPort: 29093, logDir: '/lab/data/kafka' }))

  it('makes one node both broker and the only controller voter, on loopback ports', () => {
    expect(props.get('process.roles')).toBe('broker,controller')
    expect(props.get('node.id')).toBe('1')
    expect(props.get('controller.quorum.voters')).toBe('1@127.0.0.1:29093')
    expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:29092,CONTROLLER://127.0.0.1:29093')
    expect(props.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:29092')
    expect(props.get('controller.listener.names')).toBe('CONTROLLER')
    expect(props.get('log.dirs')).toBe('/lab/data/kafka')
  })

  it('adds a PROXIED listener advertised as the Toxiproxy address when asked, so proxied clients cannot bypass the proxy', () => {
    const proxied = parse(kafkaServerProperties({ port: 29092, controllerPort: 29093, logDir: '/lab/data/kafka', proxied: { port: 29094, advertised: '127.0.0.1:39092' } }))
    expect(proxied.get('listeners')).toBe('PLAINTEXT://127.0.0.1:29092,PROXIED://127.0.0.1:29094,CONTROLLER://127.0.0.1:29093')
    expect(proxied.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:29092,PROXIED://127.0.0.1:39092')
    expect(proxied.get('listener.security.protocol.map')).toBe('CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,PROXIED:PLAINTEXT')
    expect(proxied.get('inter.broker.listener.name')).toBe('PLAINTEXT')
  })

  it('asks for no more replicas than the one broker can hold, internal topics included', () => {
    const replication = [...props].filter(([key]) => /replication\.factor$|min\.isr$/.test(key))
    expect(replication.map(([key]) => key).sort()).toEqual([
      'default.replication.factor',
      'offsets.topic.replication.factor',
      'share.coordinator.state.topic.min.isr',
      'share.coordinator.state.topic.replication.factor',
      'transaction.state.log.min.isr',
      'transaction.state.log.replication.factor'
    ])
    expect(replication.every(([, value]) => value === '1')).toBe(true)
    expect(props.get('min.insync.replicas')).toBe('1')
  })

  it('lets a lone consumer join at once and auto-creates three-partition topics', () => {
    expect(props.get('group.initial.rebalance.delay.ms')).toBe('0')
    expect(props.get('auto.create.topics.enable')).toBe('true')
    expect(props.get('num.partitions')).toBe('3')
  })

  it('logs INFO to stdout in one short line per event', () => {
    const log4j = parse(kafkaLog4j2Properties().replaceAll(' = ', '='))
    expect(log4j.get('rootLogger.level')).toBe('INFO')
    expect(log4j.get('appender.out.type')).toBe('Console')
    expect(log4j.get('appender.out.layout.pattern')).toMatch(/%m%n$/)
  })
})

describe('kafka cluster id', () => {
  it('is 16 random bytes in URL-safe base64 that cannot read as an option', () => {
    const ids = Array.from({ length: 500 }, newClusterId)
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/)
      expect(Buffer.from(id, 'base64url')).toHaveLength(16)
    }
    expect(new Set(ids).size).toBe(ids.length)
  })
})
