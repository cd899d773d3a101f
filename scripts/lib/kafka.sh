# A single-node Kafka broker in KRaft mode on loopback, from the kafka_2.13 jars on Maven Central at the version
# Spring Boot manages (the one spring-kafka-test runs in the tests). Sourced by scripts/services.sh from the
# repository root. Settings: CARAVAN_KAFKA_PORT (9092), CARAVAN_KAFKA_CONTROLLER_PORT (9093).

KAFKA_HOME=.services/kafka

kafka_answers() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

kafka_install() {
  if compgen -G "$KAFKA_HOME/libs/kafka_2.13-*.jar" >/dev/null; then
    return 0
  fi
  local boot
  boot="$(sed -n '/<parent>/,/<\/parent>/s/.*<version>\(.*\)<\/version>.*/\1/p' pom.xml)"
  echo "Fetching the Kafka broker jars (Spring Boot $boot's Kafka version) into $KAFKA_HOME/libs ..." >&2
  mkdir -p "$KAFKA_HOME"
  cat > "$KAFKA_HOME/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>$boot</version>
    <relativePath/>
  </parent>
  <groupId>io.caravan</groupId>
  <artifactId>caravan-kafka-broker</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-simple</artifactId>
    </dependency>
  </dependencies>
</project>
POM
  mvn -B -q -f "$KAFKA_HOME/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$PWD/$KAFKA_HOME/libs" >&2
}

kafka_up() {
  local port="${CARAVAN_KAFKA_PORT:-9092}" controller="${CARAVAN_KAFKA_CONTROLLER_PORT:-9093}"
  local pidfile="$KAFKA_HOME/kafka.pid" log="$KAFKA_HOME/kafka.log"
  if kafka_answers "$port"; then
    echo "Kafka already answers on 127.0.0.1:$port"
    return 0
  fi
  kafka_install
  local home
  home="$(cd "$KAFKA_HOME" && pwd)"
  cat > "$KAFKA_HOME/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$home/data
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  if [ ! -f "$home/data/meta.properties" ]; then
    local cluster
    cluster="$(java -cp "$home/libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    java -cp "$home/libs/*" kafka.tools.StorageTool format -t "$cluster" -c "$home/server.properties" \
        >"$home/format.log" 2>&1 || { cat "$home/format.log" >&2; return 1; }
  fi
  (cd "$KAFKA_HOME" && exec setsid java ${CARAVAN_KAFKA_JAVA_OPTS:--Xmx512m} -cp "$home/libs/*" kafka.Kafka \
      "$home/server.properties" >kafka.log 2>&1 </dev/null) &
  echo $! > "$pidfile"
  local waited=0
  until kafka_answers "$port"; do
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null || [ "$waited" -ge 120 ]; then
      echo "Kafka did not start on 127.0.0.1:$port; the end of $log:" >&2
      tail -n 20 "$log" >&2 || true
      kafka_down
      return 1
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  echo "Kafka: 127.0.0.1:$port (KRaft, data $home/data, log $log)"
}

kafka_down() {
  stop_pidfile "$KAFKA_HOME/kafka.pid" "Kafka" 30
}
